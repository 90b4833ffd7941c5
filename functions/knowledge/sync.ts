/**
 * Knowledge sync: a collection follows a source (a folder, a Git repository's folder, an S3 prefix).
 * Each synced file becomes a document (its text: document-text.ts; its id from the file name, as the
 * API names them). A file whose text changed gets a new version, an unchanged one nothing; a document
 * this source synced before whose file is gone is removed (a removal version; documents added any other
 * way, or synced from another source, are left alone); a file with no text or that cannot be read is
 * skipped and its document kept as it was. Every version records the file's path and the source's
 * revision, so a second sync of the same files changes nothing.
 *
 * Who writes is a port: the CLI writes through the API (`npx handrail kb sync`), the scheduled sync
 * function (functions/scheduled/knowledge-sync) through the document store.
 */
import { createHash } from 'node:crypto';
import { documentText } from './document-text.js';
import { slugify, textSha256 } from './validation.js';

export interface SourceFile {
  /** Its path under the source, `/`-separated. */
  readonly path: string;
  read(): Promise<Buffer>;
}

export interface SyncSource {
  /** Called when the sync is done with the files (a clone is removed). */
  close?(): void;
  /** What the source is (a folder's absolute path, `s3://bucket/prefix/`): versions record it, and a sync removes only its own. */
  readonly id: string;
  readonly files: SourceFile[];
  /** What the versions record as the source's revision, given the files' text hashes. */
  revision(hashes: readonly { path: string; sha256: string }[]): string;
}

/** Where a synced version came from. */
export interface VersionSource {
  readonly from: string;
  readonly path: string;
  readonly revision: string;
}

/** The latest version of a document in the collection, as far as a sync cares. */
export interface LatestDocument {
  readonly docId: string;
  readonly sha256: string;
  readonly removed?: boolean;
  readonly source?: { readonly from?: string; readonly path: string; readonly revision: string };
}

/** Where the sync reads the collection and writes its versions. */
export interface SyncStore {
  latest(): Promise<readonly LatestDocument[]>;
  put(doc: { docId: string; fileName: string; content: string; source: VersionSource }): Promise<void>;
  remove(docId: string, reason: string, source: VersionSource): Promise<void>;
}

export interface SyncProgress {
  start?(total: number): void;
  tick?(message: string): void;
  stop?(): void;
  /** A file skipped or a document removed: one line a person reads. */
  warn(message: string): void;
}

export interface SyncCounts {
  added: number;
  changed: number;
  unchanged: number;
  removed: number;
  skipped: number;
  readonly revision: string;
}

/** Thrown when two files of a source would make the same document id. */
export class DocIdClashError extends Error {
  constructor(readonly path: string, readonly docId: string) {
    super(`${path}: two files make the document id "${docId}"; rename one`);
  }
}

/** A hash of the synced files' paths and texts: the revision of a source with no history of its own. */
export const contentRevision = (kind: string, hashes: readonly { path: string; sha256: string }[]): string =>
  `${kind}:${createHash('sha256').update(hashes.map((f) => `${f.path}\n${f.sha256}`).join('\n')).digest('hex').slice(0, 16)}`;

/** Brings `store`'s collection in line with `source`'s files; returns what changed. */
export async function syncCollection(source: SyncSource, store: SyncStore, progress: SyncProgress): Promise<SyncCounts> {
  const all = source.files.map((f) => ({ ...f, docId: slugify(f.path.split('/').pop()!) }));
  const clash = all.find((f, i) => all.findIndex((g) => g.docId === f.docId) !== i);
  if (clash) throw new DocIdClashError(clash.path, clash.docId);
  const files: { path: string; docId: string; content: string; sha256: string }[] = [];
  const skipped: string[] = [];
  for (const f of all) {
    try {
      const content = await documentText(f.path, await f.read());
      files.push({ path: f.path, docId: f.docId, content, sha256: textSha256(content) });
    } catch (err) {
      // One unreadable file does not stop the sync; its document (if any) stays as it was.
      skipped.push(f.docId);
      progress.warn(`skipped ${f.path}: ${(err as Error).message}`);
    }
  }
  const revision = source.revision(files);
  const documents = await store.latest();
  const latest = new Map(documents.map((d) => [d.docId, d]));
  const counts: SyncCounts = { added: 0, changed: 0, unchanged: 0, removed: 0, skipped: skipped.length, revision };
  progress.start?.(files.length);
  try {
    for (const f of files) {
      const before = latest.get(f.docId);
      if (before && !before.removed && before.sha256 === f.sha256) {
        counts.unchanged++;
        progress.tick?.(`${f.docId}: unchanged`);
        continue;
      }
      await store.put({ docId: f.docId, fileName: f.path.split('/').pop()!, content: f.content, source: { from: source.id, path: f.path, revision } });
      const kind = before && !before.removed ? 'changed' : 'added';
      counts[kind]++;
      progress.tick?.(`${f.docId}: ${kind}`);
    }
  } finally {
    progress.stop?.();
  }
  // Gone from the source: only documents this source synced (their latest version came from a sync of it).
  const present = new Set([...files.map((f) => f.docId), ...skipped]);
  for (const d of documents) {
    // Versions synced before sources were recorded (no `from`) count as this source's.
    if (d.removed || present.has(d.docId) || !d.source || (d.source.from !== undefined && d.source.from !== source.id)) continue;
    await store.remove(d.docId, `${d.source.path} is gone from ${source.id}`, { from: source.id, path: d.source.path, revision });
    counts.removed++;
    progress.warn(`removed ${d.docId} (${d.source.path} is gone)`);
  }
  return counts;
}

/** One line: what a sync did. */
export const syncSummary = (collection: string, c: SyncCounts): string =>
  `${collection}: ${c.added} added, ${c.changed} changed, ${c.unchanged} unchanged, ${c.removed} removed${c.skipped ? `, ${c.skipped} skipped` : ''} (revision ${c.revision})`;
