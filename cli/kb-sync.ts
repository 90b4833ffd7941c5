/**
 * `npx handrail kb sync <collection> --from <folder | git+<url> | s3://bucket/prefix/>`: the collection
 * follows the source (sync-sources.ts), as functions/knowledge/sync.ts says, writing through the API
 * as the signed-in caller, with a progress bar on a terminal.
 */
import { DocIdClashError, syncCollection, syncSummary, type LatestDocument, type SyncStore } from '../functions/knowledge/sync.js';
import { api, CliError } from './api-client.js';
import { progress } from './progress.js';
import { syncSource } from './sync-sources.js';

/** The collection's documents, read and written through the API. */
function apiStore(collection: string): SyncStore {
  const base = `/knowledge/${encodeURIComponent(collection)}/documents`;
  return {
    latest: async () => (await api<{ documents: LatestDocument[] }>('GET', base)).documents,
    put: async (doc) => void (await api('POST', base, doc)),
    remove: async (docId, reason, source) => void (await api('POST', `${base}/${encodeURIComponent(docId)}/remove`, { reason, source })),
  };
}

export async function kbSync(collection: string, from: string, path?: string): Promise<void> {
  const source = await syncSource(from, path);
  let bar: ReturnType<typeof progress> | undefined;
  try {
    const counts = await syncCollection(source, apiStore(collection), {
      start: (total) => void (bar = progress(total)),
      tick: (message) => bar?.tick(message),
      stop: () => bar?.stop(),
      warn: (message) => void process.stderr.write(`${message}\n`),
    });
    console.log(syncSummary(collection, counts));
  } catch (err) {
    if (err instanceof DocIdClashError) throw new CliError(err.message, 2);
    throw err;
  } finally {
    source.close?.();
  }
}
