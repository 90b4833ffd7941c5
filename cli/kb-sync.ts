/**
 * `npx handrail kb sync <collection> --from <folder | s3://bucket/prefix/>`: the collection follows a
 * folder or an S3 prefix (sync-sources.ts). Markdown,
 * plain-text, HTML and PDF files become documents (their text: document-text.ts; docId from the file
 * name, as the API names them); a file with no text (a scanned PDF) or that cannot be read as its
 * kind is skipped with a warning, and its document kept as it was; a file whose
 * content changed gets a new version, an unchanged one nothing, and a document this folder synced
 * before whose file is gone is removed (a removal version; documents added any other way are left
 * alone). Every version records the file's path and the source's revision (a folder's Git commit,
 * or a hash of its files' texts), so running it twice changes nothing the second time.
 */
import { createHash } from 'node:crypto';
import { slugify } from '../functions/knowledge/validation.js';
import { api, CliError } from './api-client.js';
import { documentText } from './document-text.js';
import { progress } from './progress.js';
import { syncSource, type SyncSource } from './sync-sources.js';

interface Latest {
  readonly docId: string;
  readonly sha256: string;
  readonly source?: { readonly from?: string; readonly path: string; readonly revision: string };
}

export async function kbSync(collection: string, from: string, path?: string): Promise<void> {
  const source = await syncSource(from, path);
  try {
    await syncFrom(collection, source);
  } finally {
    source.close?.();
  }
}

async function syncFrom(collection: string, source: SyncSource): Promise<void> {
  const all = source.files.map((f) => ({ ...f, docId: slugify(f.path.split('/').pop()!) }));
  const clash = all.find((f, i) => all.findIndex((g) => g.docId === f.docId) !== i);
  if (clash) throw new CliError(`${clash.path}: two files make the document id "${clash.docId}"; rename one`, 2);
  const files: { path: string; docId: string; content: string; sha256: string }[] = [];
  const skipped: string[] = [];
  for (const f of all) {
    try {
      const content = await documentText(f.path, await f.read());
      files.push({ ...f, content, sha256: createHash('sha256').update(content, 'utf8').digest('hex') });
    } catch (err) {
      // One unreadable file does not stop the sync; its document (if any) stays as it was.
      skipped.push(f.docId);
      process.stderr.write(`skipped ${f.path}: ${(err as Error).message}\n`);
    }
  }
  const revision = source.revision(files);
  const base = `/knowledge/${encodeURIComponent(collection)}/documents`;
  const { documents } = await api<{ documents: Latest[] }>('GET', base);
  const latest = new Map(documents.map((d) => [d.docId, d]));
  const counts = { added: 0, changed: 0, unchanged: 0, removed: 0 };
  const bar = progress(files.length);
  try {
    for (const f of files) {
      const before = latest.get(f.docId);
      if (before?.sha256 === f.sha256) {
        counts.unchanged++;
        bar.tick(`${f.docId}: unchanged`);
        continue;
      }
      await api('POST', base, { fileName: f.path.split('/').pop(), docId: f.docId, content: f.content, source: { from: source.id, path: f.path, revision } });
      counts[before ? 'changed' : 'added']++;
      bar.tick(`${f.docId}: ${before ? 'changed' : 'added'}`);
    }
  } finally {
    bar.stop();
  }
  // Gone from the source: only documents this source synced (their latest version came from a sync of it).
  const present = new Set([...files.map((f) => f.docId), ...skipped]);
  for (const d of documents) {
    // Versions synced before sources were recorded (no `from`) count as this source's.
    if (present.has(d.docId) || !d.source || (d.source.from !== undefined && d.source.from !== source.id)) continue;
    await api('POST', `${base}/${encodeURIComponent(d.docId)}/remove`, { reason: `${d.source.path} is gone from ${source.id}`, source: { from: source.id, path: d.source.path, revision } });
    counts.removed++;
    process.stderr.write(`removed ${d.docId} (${d.source.path} is gone)\n`);
  }
  console.log(`${collection}: ${counts.added} added, ${counts.changed} changed, ${counts.unchanged} unchanged, ${counts.removed} removed${skipped.length ? `, ${skipped.length} skipped` : ''} (revision ${revision})`);
}
