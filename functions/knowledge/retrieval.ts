/**
 * Retrieval over the latest version of each document in a collection. Versions are immutable,
 * so the in-process cache (kept while the Lambda is warm) is keyed by (collection, docId,
 * version, sha256; the hash guards against a store being recreated under the same names). Which
 * versions are current is re-read from DynamoDB at most every HANDRAIL_KNOWLEDGE_FRESHNESS_MS
 * (default 2 s; a put in the same process is seen at once), and S3 reads happen only for
 * versions this process has not split into passages yet.
 */
import { ENV } from '../shared/env-names.js';
import { numberEnv } from '../shared/env.js';
import type { Passage } from '../shared/step-contract.js';
import { buildPassageIndex, type PassageIndex } from './bm25-index.js';
import { documentsAt, getDocumentText, listDocuments, type DocumentVersion } from './document-store.js';
import { getLabel } from './snapshots.js';
import { splitPassages } from './passages.js';
import { parseInput, retrieveInput, type RetrieveInput } from './validation.js';

export type { RetrieveInput } from './validation.js';

interface IndexedPassage {
  readonly doc: DocumentVersion;
  readonly index: number;
  readonly title: string;
  readonly text: string;
}

interface CachedCollection {
  readonly signature: string;
  readonly index: PassageIndex<IndexedPassage>;
}

/** Passages of each version this process has read; immutable, so never stale. */
const passagesByVersion = new Map<string, IndexedPassage[]>();
const indexByCollection = new Map<string, CachedCollection>();
const stats = { indexBuilds: 0, s3Reads: 0 };

/** Parallel S3 reads when a cold Lambda loads a collection, bounded to stay polite. */
const READ_CONCURRENCY = 8;

const versionKey = (d: DocumentVersion): string => `${d.collection}/${d.docId}@v${d.version}:${d.sha256}`;

export async function retrieve(input: RetrieveInput): Promise<Passage[]> {
  return (await search(input)).passages;
}

/** The ranked passages, and the document versions they were ranked among (the collection as it was searched). */
export async function search(input: RetrieveInput): Promise<{ passages: Passage[]; searched: DocumentVersion[] }> {
  const { collection, label, query, topK } = parseInput(retrieveInput, input);
  // A pinned label reads the versions it froze (immutable, so cached with them); else the latest.
  const docs = label ? await labelledDocuments(collection, label) : await listDocuments(collection, { maxAgeMs: numberEnv(ENV.knowledgeFreshnessMs, 2000) });
  if (docs.length === 0) return { passages: [], searched: [] };
  const index = await indexFor(label ? `${collection}@${label}` : collection, docs);
  return { passages: index.search(query, topK).map(({ passage, score }, rank) => toPassage(passage, score, rank + 1)), searched: docs };
}

const labelled = new Map<string, Promise<DocumentVersion[]>>();

function labelledDocuments(collection: string, label: string): Promise<DocumentVersion[]> {
  const key = `${collection}@${label}`;
  let docs = labelled.get(key);
  if (!docs) {
    docs = getLabel(collection, label).then((l) => documentsAt(collection, l.versions));
    docs.catch(() => labelled.delete(key));
    labelled.set(key, docs);
  }
  return docs;
}

/** `collection` names the cache: the collection, or `collection@label`. */
async function indexFor(collection: string, docs: DocumentVersion[]): Promise<PassageIndex<IndexedPassage>> {
  const signature = docs.map(versionKey).sort().join('|');
  const cached = indexByCollection.get(collection);
  if (cached?.signature === signature) return cached.index;

  const missing = docs.filter((d) => !passagesByVersion.has(versionKey(d)));
  for (let i = 0; i < missing.length; i += READ_CONCURRENCY) {
    await Promise.all(missing.slice(i, i + READ_CONCURRENCY).map(loadPassages));
  }
  // wink cannot add documents after consolidation, so a change rebuilds the index in memory
  // from cached passages: cheap next to the S3 reads it avoids.
  const passages = docs.flatMap((d) => passagesByVersion.get(versionKey(d)) ?? []);
  const index = buildPassageIndex(passages);
  stats.indexBuilds++;
  indexByCollection.set(collection, { signature, index });
  pruneVersions(collection, docs);
  return index;
}

async function loadPassages(doc: DocumentVersion): Promise<void> {
  const text = await getDocumentText(doc);
  stats.s3Reads++;
  const passages = splitPassages(text).map((p) => ({ doc, index: p.index, title: doc.title, text: p.text }));
  passagesByVersion.set(versionKey(doc), passages);
}

/** Drops passages of versions no longer current in the collection, so a warm Lambda does not grow. */
function pruneVersions(collection: string, current: DocumentVersion[]): void {
  const live = new Set(current.map(versionKey));
  for (const key of passagesByVersion.keys()) {
    if (key.startsWith(`${collection}/`) && !live.has(key)) passagesByVersion.delete(key);
  }
}

function toPassage(p: IndexedPassage, score: number, n: number): Passage {
  const { doc } = p;
  return {
    n,
    collection: doc.collection,
    docId: doc.docId,
    title: doc.title,
    version: doc.version,
    sha256: doc.sha256,
    s3Key: doc.s3Key,
    ...(doc.s3VersionId ? { s3VersionId: doc.s3VersionId } : {}),
    passageId: `${doc.docId}@v${doc.version}#${p.index}`,
    text: p.text,
    score,
  };
}

/** Counters for tests and logs: how often the index was rebuilt and S3 was read. */
export function retrievalCacheStats(): { readonly indexBuilds: number; readonly s3Reads: number } {
  return { ...stats };
}

/** Forgets every cached passage and index (tests that swap emulators). */
export function clearRetrievalCache(): void {
  passagesByVersion.clear();
  indexByCollection.clear();
  labelled.clear();
  stats.indexBuilds = 0;
  stats.s3Reads = 0;
}
