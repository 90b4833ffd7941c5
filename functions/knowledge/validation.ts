/**
 * Input schemas and small pure helpers of the knowledge store. Names end up in S3 keys and
 * DynamoDB sort keys, so they are restricted to [a-z0-9-]: no '/', no '#', nothing to escape.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { ValidationError } from '../shared/errors.js';

export const MAX_CONTENT_BYTES = 1024 * 1024;
/**
 * A document a workflow revises (a retrieve step's `wholeDocument`, a proposed knowledge edit): its
 * text and the proposal travel on the run's records (DynamoDB items of at most 400 KB), so less.
 */
export const MAX_REVISABLE_BYTES = 100 * 1024;

/** Where knowledge documents live in the bucket: one prefix per collection under it. */
export const KNOWLEDGE_PREFIX = 'knowledge/';
export const collectionPrefix = (collection: string): string => `${KNOWLEDGE_PREFIX}${collection}/`;

export const collectionName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be 1-63 characters of a-z, 0-9 and "-", starting with a letter or digit');

export const docIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,127}$/, 'must be 1-128 characters of a-z, 0-9 and "-", starting with a letter or digit');

/**
 * Where a synced version came from: the source it follows (`from`: a folder's path, an S3 URL), the
 * file's path in it, and the source's revision.
 */
export const sourceSchema = z.object({ from: z.string().min(1).max(1024).optional(), path: z.string().min(1).max(1024), revision: z.string().min(1).max(200) }).strict();

export const putDocumentInput = z.object({
  collection: collectionName,
  docId: docIdSchema.optional(),
  fileName: z.string().min(1, 'must not be empty').max(255, 'must be at most 255 characters'),
  content: z
    .string()
    .refine((s) => s.trim().length > 0, 'must not be empty')
    .refine((s) => Buffer.byteLength(s, 'utf8') <= MAX_CONTENT_BYTES, `must be at most ${MAX_CONTENT_BYTES} bytes`),
  author: z.string().trim().min(1, 'must not be empty'),
  source: sourceSchema.optional(),
  /** The run whose approved knowledge edit this version is (a deliver step's `knowledge` target): at most one version per run. */
  runId: z.string().regex(/^[A-Za-z0-9_-]{1,80}$/, 'must be a run id').optional(),
});

export type PutDocumentInput = z.input<typeof putDocumentInput>;

/** A knowledge label: a named snapshot of a collection that a workflow's retrieval can pin. */
export const labelName = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'must be 1-63 characters of a-z, 0-9, ".", "_" and "-", starting with a letter or digit');

export const retrieveInput = z.object({
  collection: collectionName,
  /** Read the collection as this label froze it; the latest versions without one. */
  label: labelName.optional(),
  // 4000 matches what the retrieve step handler passes (it truncates rendered templates there).
  query: z.string().trim().min(1, 'must not be empty').max(4000, 'must be at most 4000 characters'),
  topK: z.number().int('must be an integer').min(1, 'must be at least 1').max(50, 'must be at most 50').default(5),
});

export type RetrieveInput = z.input<typeof retrieveInput>;

/**
 * Parses or throws a ValidationError whose `field` names the first offending input; `field`
 * defaults to `fallbackField` when the schema is a bare value (e.g. a collection name).
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, fallbackField = 'collection'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : fallbackField;
  throw new ValidationError(`Invalid ${field}: ${issue?.message ?? 'invalid value'}.`, field);
}

/** The sha256 of a document's text, as its versions record it (and a sync compares). */
export const textSha256 = (content: string): string => createHash('sha256').update(content, 'utf8').digest('hex');

/** "Password Reset & 2FA.md" -> "password-reset-2fa": the default docId of a file. */
export function slugify(fileName: string): string {
  const slug = fileName
    .replace(/\.[^./\\]+$/, '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 128)
    .replace(/-+$/, '');
  if (!slug) throw new ValidationError(`Invalid fileName: "${fileName}" yields an empty docId; pass docId.`, 'fileName');
  return slug;
}

/** A request's first line as a document heading ("## Refunds  for annual plans" → "Refunds for annual plans"); empty when there is none. */
export function firstLineTitle(text: string): string {
  const first = text.split(/\r\n?|\n/).find((l) => l.trim()) ?? '';
  return first.replace(/^#+\s*/, '').replace(/\s+/g, ' ').trim().slice(0, 120);
}

/** The first level-1 markdown heading, else the file name. */
export function titleOf(content: string, fileName: string): string {
  const match = /^#[ \t]+(.+?)[ \t#]*$/m.exec(content);
  return match?.[1]?.trim() || fileName;
}
