/**
 * A knowledge sync source in S3: the synced files (document-text.ts SYNCED, no hidden parts) under
 * `s3://bucket/prefix/`, read with the given client; its revision a hash of the files' texts.
 */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { SYNCED } from './document-text.js';
import { contentRevision, type SyncSource } from './sync.js';

/** `s3://bucket/prefix/` (a prefix, if any, ends with `/`). */
export const S3_SOURCE = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/;

/** Thrown when the source cannot be listed: the message says what S3 answered. */
export class SourceListError extends Error {}

export function parseS3Source(from: string): { bucket: string; prefix: string } | undefined {
  const match = S3_SOURCE.exec(from);
  if (!match) return undefined;
  const raw = match[2] ?? '';
  return { bucket: match[1]!, prefix: raw && !raw.endsWith('/') ? `${raw}/` : raw };
}

/** The id a source at `from` is known by (`s3://bucket/prefix/`): what versions record and what removals compare. */
export function s3SourceId({ bucket, prefix }: { bucket: string; prefix: string }): string {
  return `s3://${bucket}/${prefix}`;
}

/** The source at `from` (`s3://bucket/prefix/`); throws SourceListError when it cannot be listed. */
export async function s3Source(s3: S3Client, from: string): Promise<SyncSource> {
  const parsed = parseS3Source(from);
  if (!parsed) throw new SourceListError(`${from}: an S3 source is s3://<bucket>/<prefix>/`);
  const { bucket, prefix } = parsed;
  const keys: string[] = [];
  try {
    let ContinuationToken: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken }));
      keys.push(...(page.Contents ?? []).map((o) => o.Key!).filter((key) => SYNCED.test(key) && !key.slice(prefix.length).split('/').some((part) => part.startsWith('.'))));
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
  } catch (err) {
    throw new SourceListError(`cannot list the prefix (${(err as Error).name}: ${(err as Error).message})`);
  }
  return {
    id: s3SourceId(parsed),
    files: keys.sort().map((key) => ({
      path: key.slice(prefix.length),
      read: async () => Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray()),
    })),
    revision: (hashes) => contentRevision('s3', hashes),
  };
}
