/**
 * The versioned knowledge store. Every put of new content creates an immutable version: an S3
 * object whose key embeds the version and a content-hash prefix (so it is never overwritten),
 * and a DynamoDB record `collection` / `docId#v000001`, which is the commit point. Retrieval
 * cites exact versions, so an answer can always be traced to the text it was drafted from.
 */
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, s3Client } from '../shared/aws-clients.js';
import { requireEnv } from '../shared/env.js';
import { ENV } from '../shared/env-names.js';
import { ConflictError, NotFoundError } from '../shared/errors.js';
import { putIf, queryAll } from '../records/dynamo-helpers.js';
import { collectionName, collectionPrefix, docIdSchema, parseInput, putDocumentInput, slugify, textSha256, titleOf, type PutDocumentInput } from './validation.js';

export type { PutDocumentInput } from './validation.js';

export interface DocumentVersion {
  readonly collection: string;
  readonly docId: string;
  readonly version: number;
  readonly title: string;
  readonly sha256: string;
  readonly s3Key: string;
  /** Set when the bucket is versioned (real AWS); s3rver returns none. */
  readonly s3VersionId?: string;
  readonly author: string;
  readonly createdAt: string;
  readonly bytes: number;
  /** True when putDocument found the same content already stored as the latest version. */
  readonly unchanged?: boolean;
  /** A removal: the document left its collection at this version (no object; retrieval skips it). */
  readonly removed?: boolean;
  /** Where a synced version came from (`npx handrail kb sync`): the file and the source's revision. */
  readonly source?: { readonly path: string; readonly revision: string };
  /** The run whose approved knowledge edit this version is (workflows' deliver `knowledge` target). */
  readonly runId?: string;
}

/** Bounds the retry loop; each lost round means another writer committed a version. */
const MAX_ALLOCATION_ATTEMPTS = 25;

export const sortKeyOf = (docId: string, version: number): string => `${docId}#v${String(version).padStart(6, '0')}`;

export function s3KeyOf(collection: string, docId: string, version: number, sha256: string): string {
  return `${collectionPrefix(collection)}${docId}/v${version}-${sha256.slice(0, 12)}.md`;
}

export async function putDocument(input: PutDocumentInput): Promise<DocumentVersion> {
  return commitDocument(input);
}

/**
 * A run's approved knowledge edit, as a new version of the document it revises: written once per
 * run (a retried step finds the version the run already wrote and writes nothing), and only over
 * the version the edit was drafted against (`baseVersion`; 0: the document must not exist yet), so
 * an edit never silently undoes a version written while it waited for approval.
 * @throws ConflictError naming both versions when the document moved on
 */
export async function publishRevision(input: PutDocumentInput & { docId: string; runId: string; baseVersion: number }): Promise<DocumentVersion & { duplicate?: boolean }> {
  const { baseVersion, ...put } = input;
  const parsed = parseInput(putDocumentInput, put);
  const history = await queryVersions(parsed.collection, parsed.docId);
  const written = history.find((v) => v.runId === parsed.runId);
  if (written) return { ...written, duplicate: true };
  const latest = history.reduce<DocumentVersion | undefined>((a, v) => (!a || v.version > a.version ? v : a), undefined);
  const current = latest && !latest.removed ? latest.version : 0;
  if (current !== baseVersion) {
    throw new ConflictError(
      `${parsed.collection}/${parsed.docId} changed while the edit waited for approval: it was drafted against ${baseVersion ? `v${baseVersion}` : 'no document'}, the current version is ${current ? `v${current}` : 'none (removed)'}${latest ? ` by ${latest.author}` : ''}; propose the edit again against the current version`,
    );
  }
  return commitDocument(parsed, (v) => v.runId === parsed.runId);
}

/** Commits a version unless the latest already holds the content (or, with `mine`, is this writer's). */
async function commitDocument(input: PutDocumentInput, mine?: (latest: DocumentVersion) => boolean): Promise<DocumentVersion> {
  const { collection, fileName, content, author, docId: givenDocId, source, runId } = parseInput(putDocumentInput, input);
  const docId = givenDocId ?? slugify(fileName);
  const sha256 = textSha256(content);
  const title = titleOf(content, fileName);
  const bytes = Buffer.byteLength(content, 'utf8');
  return allocateVersion(collection, docId, async (version) => {
    const s3Key = s3KeyOf(collection, docId, version, sha256);
    // Object first, record second: a record never points at a missing object. A writer that
    // loses the race below leaves an unreferenced object behind, which is harmless.
    const s3VersionId = await putObjectOnce(s3Key, content);
    return {
      collection, docId, version, title, sha256, s3Key,
      ...(s3VersionId ? { s3VersionId } : {}),
      author, createdAt: new Date().toISOString(), bytes,
      ...(source ? { source } : {}),
      ...(runId ? { runId } : {}),
    };
    // A concurrent invocation of the same run that committed first wrote this edit: nothing more to write.
  }, (latest) => (latest.sha256 === sha256 && !latest.removed) || (mine?.(latest) ?? false));
}

/**
 * Removes a document from its collection: a new version marked `removed` (history keeps every
 * earlier one; a later put brings it back). Unchanged if it is removed already. @throws NotFoundError
 */
export async function removeDocument(collection: string, docId: string, author: string, source?: DocumentVersion['source']): Promise<DocumentVersion> {
  const name = parseInput(collectionName, collection);
  const id = parseInput(docIdSchema, docId, 'docId');
  const current = await latestVersion(name, id);
  if (!current) throw new NotFoundError(`No document ${name}/${id}`);
  return allocateVersion(name, id, async (version) => ({
    collection: name, docId: id, version, title: current.title, sha256: '', s3Key: '', author, createdAt: new Date().toISOString(), bytes: 0, removed: true,
    ...(source ? { source } : {}),
  }), (latest) => latest.removed === true);
}

/**
 * Commits the next version of a document: `make` builds it for the number it would get, and a
 * conditional put allocates that number (no transactions: dynalite has none); a writer that loses
 * the race tries the next one. `same` says when the latest version already is what would be written.
 */
async function allocateVersion(collection: string, docId: string, make: (version: number) => Promise<DocumentVersion>, same: (latest: DocumentVersion) => boolean): Promise<DocumentVersion> {
  let latest = await latestVersion(collection, docId);
  for (let attempt = 0; attempt < MAX_ALLOCATION_ATTEMPTS; attempt++) {
    if (latest && same(latest)) return { ...latest, unchanged: true };
    const version = (latest?.version ?? 0) + 1;
    const record = await make(version);
    const allocated = await putIf({
      TableName: requireEnv(ENV.knowledgeTable),
      Item: { ...record, docVersion: sortKeyOf(docId, version) },
      // Allocates the version number: no transactions needed (dynalite has none).
      ConditionExpression: 'attribute_not_exists(docVersion)',
    });
    if (allocated) {
      listings.delete(collection);
      return record;
    }
    latest = await latestVersion(collection, docId);
  }
  throw new ConflictError(`Could not allocate a version of ${collection}/${docId} after ${MAX_ALLOCATION_ATTEMPTS} attempts.`);
}

/**
 * Writes only if the key is new (If-None-Match, honoured by AWS; s3rver ignores it). The key
 * embeds version and content hash, so an existing object already holds these exact bytes.
 */
async function putObjectOnce(key: string, content: string): Promise<string | undefined> {
  const Bucket = requireEnv(ENV.knowledgeBucket);
  try {
    const out = await s3Client().send(
      new PutObjectCommand({ Bucket, Key: key, Body: content, ContentType: 'text/markdown; charset=utf-8', IfNoneMatch: '*' }),
    );
    return out.VersionId;
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== 412) throw error;
    const head = await s3Client().send(new HeadObjectCommand({ Bucket, Key: key }));
    return head.VersionId;
  }
}

async function latestVersion(collection: string, docId: string): Promise<DocumentVersion | undefined> {
  const out = await documentClient().send(
    new QueryCommand({
      TableName: requireEnv(ENV.knowledgeTable),
      KeyConditionExpression: '#c = :c AND begins_with(docVersion, :p)',
      ExpressionAttributeNames: { '#c': 'collection' },
      // '#' never occurs in a docId, so the prefix cannot match another document.
      ExpressionAttributeValues: { ':c': collection, ':p': `${docId}#v` },
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  const item = out.Items?.[0];
  return item ? toVersion(item) : undefined;
}

/** Recent listings per collection, for callers that accept a bounded staleness (retrieval). */
const listings = new Map<string, { at: number; docs: Promise<DocumentVersion[]> }>();

/**
 * The latest version of each document in the collection, ordered by docId. With `maxAgeMs`, a
 * listing made by this process within that window is reused (a put here refreshes it at once);
 * retrieval uses this so a busy warm Lambda does not query the table for every run.
 */
export async function listDocuments(collection: string, options: { maxAgeMs?: number } = {}): Promise<DocumentVersion[]> {
  const name = parseInput(collectionName, collection);
  const maxAge = options.maxAgeMs ?? 0;
  const cached = listings.get(name);
  if (maxAge > 0 && cached && Date.now() - cached.at <= maxAge) return cached.docs;
  const docs = queryLatest(name);
  listings.set(name, { at: Date.now(), docs });
  docs.catch(() => listings.delete(name));
  return docs;
}

/** Every version of the collection's documents, or of one (consistent reads). */
function queryVersions(name: string, docId?: string): Promise<DocumentVersion[]> {
  return queryAll<Record<string, unknown>>({
    TableName: requireEnv(ENV.knowledgeTable),
    // Documents only: snapshots sort after them (~snapshot#…, snapshots.ts).
    KeyConditionExpression: docId ? '#c = :c AND begins_with(docVersion, :p)' : '#c = :c AND docVersion < :snapshots',
    ExpressionAttributeNames: { '#c': 'collection' },
    ExpressionAttributeValues: { ':c': name, ...(docId ? { ':p': `${docId}#v` } : { ':snapshots': '~' }) },
    ConsistentRead: true,
  }).then((items) => items.map(toVersion));
}

async function queryLatest(name: string): Promise<DocumentVersion[]> {
  const latest = new Map<string, DocumentVersion>();
  for (const v of await queryVersions(name)) {
    const seen = latest.get(v.docId);
    if (!seen || v.version > seen.version) latest.set(v.docId, v);
  }
  // A document whose latest version is a removal has left the collection.
  return [...latest.values()].filter((v) => !v.removed).sort((a, b) => (a.docId < b.docId ? -1 : a.docId > b.docId ? 1 : 0));
}

/** The versions a label froze (snapshots.ts), ordered by docId. */
export async function documentsAt(collection: string, versions: Record<string, number>): Promise<DocumentVersion[]> {
  const all = await queryVersions(parseInput(collectionName, collection));
  return all.filter((v) => versions[v.docId] === v.version).sort((a, b) => (a.docId < b.docId ? -1 : a.docId > b.docId ? 1 : 0));
}

/**
 * Every version of a collection's documents (or of one document), newest first: who wrote each and
 * when, with its content hash. Versions are immutable, so this is the collection's whole history.
 */
export async function documentHistory(collection: string, docId?: string): Promise<DocumentVersion[]> {
  const name = parseInput(collectionName, collection);
  const id = docId === undefined ? undefined : parseInput(docIdSchema, docId, 'docId');
  const versions = await queryVersions(name, id);
  return versions.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.version - a.version);
}

/** One version of a document, as recorded. @throws NotFoundError */
export async function getDocumentVersion(collection: string, docId: string, version: number): Promise<DocumentVersion> {
  const out = await documentClient().send(
    new QueryCommand({
      TableName: requireEnv(ENV.knowledgeTable),
      KeyConditionExpression: '#c = :c AND docVersion = :v',
      ExpressionAttributeNames: { '#c': 'collection' },
      ExpressionAttributeValues: { ':c': parseInput(collectionName, collection), ':v': sortKeyOf(parseInput(docIdSchema, docId, 'docId'), version) },
      ConsistentRead: true,
    }),
  );
  const item = out.Items?.[0];
  if (!item) throw new NotFoundError(`No version ${version} of ${collection}/${docId}`);
  return toVersion(item);
}

/** The exact text of a version (pinned by S3 VersionId when the bucket is versioned). */
export async function getDocumentText(version: Pick<DocumentVersion, 's3Key' | 's3VersionId'>): Promise<string> {
  try {
    const out = await s3Client().send(
      new GetObjectCommand({ Bucket: requireEnv(ENV.knowledgeBucket), Key: version.s3Key, VersionId: version.s3VersionId }),
    );
    if (!out.Body) throw new NotFoundError(`Knowledge object ${version.s3Key} has no body.`);
    return await out.Body.transformToString('utf-8');
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey' || (error as Error).name === 'NoSuchVersion') {
      throw new NotFoundError(`Knowledge object ${version.s3Key} not found.`, { cause: error });
    }
    throw error;
  }
}

function toVersion(item: Record<string, unknown>): DocumentVersion {
  const { docVersion: _sortKey, unchanged: _unchanged, ...rest } = item;
  return rest as unknown as DocumentVersion;
}
