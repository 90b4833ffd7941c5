/**
 * Strongly consistent reads of items by key, of any tables, that share a round trip: reads asked
 * in the same turn, or while one is in flight, go together in the next BatchGetItem (coalesced.ts),
 * so every read still starts after its caller asked and sees every write made before. One
 * invocation at a time (Lambda) sends one request per read; the local runtime's concurrent step
 * invocations, which each read their run back (functions/steps/run-view.ts), one for many runs.
 */
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/aws-clients.js';
import { coalesced } from './coalesced.js';
import { untilProcessed } from './dynamo-helpers.js';

type Item = Record<string, unknown>;

/** BatchGetItem takes at most 100 keys a request. */
const MAX_BATCH_KEYS = 100;

export interface KeyRead {
  readonly table: string;
  /** The table's key attributes (partition, then sort key if it has one). */
  readonly keyNames: readonly string[];
  readonly keys: readonly Item[];
}

const idOf = (table: string, keyNames: readonly string[], item: Item) => JSON.stringify([table, ...keyNames.map((name) => item[name])]);

/** Every stored item of `keys`, with its table: 100 keys a request, unprocessed keys asked again. */
async function readBatch(keys: { table: string; key: Item }[]): Promise<{ table: string; item: Item }[]> {
  const found: { table: string; item: Item }[] = [];
  for (let i = 0; i < keys.length; i += MAX_BATCH_KEYS) {
    await untilProcessed(
      keys.slice(i, i + MAX_BATCH_KEYS),
      async (batch) => {
        const requestItems: Record<string, { Keys: Item[]; ConsistentRead: true }> = {};
        for (const { table, key } of batch) (requestItems[table] ??= { Keys: [], ConsistentRead: true }).Keys.push(key);
        const out = await documentClient().send(new BatchGetCommand({ RequestItems: requestItems }));
        for (const [table, items] of Object.entries(out.Responses ?? {})) for (const item of items) found.push({ table, item });
        return Object.entries(out.UnprocessedKeys ?? {}).flatMap(([table, { Keys }]) => (Keys ?? []).map((key) => ({ table, key })));
      },
      'item key(s) to read',
    );
  }
  return found;
}

// Pure: esbuild drops it from bundles that never read this way (tests/infra/least-privilege).
const readCoalesced = /* @__PURE__ */ coalesced<KeyRead, (Item | undefined)[]>(async (_all, reads) => {
  // A key asked twice (two reads of one run at once) is asked once: BatchGetItem refuses duplicates.
  const unique = new Map<string, { table: string; key: Item }>();
  for (const read of reads) for (const key of read.keys) unique.set(idOf(read.table, read.keyNames, key), { table: read.table, key });
  const keyNamesOf = new Map(reads.map((r) => [r.table, r.keyNames]));
  const byId = new Map((await readBatch([...unique.values()])).map(({ table, item }) => [idOf(table, keyNamesOf.get(table)!, item), item]));
  return reads.map((read) => read.keys.map((key) => byId.get(idOf(read.table, read.keyNames, key))));
}, { sameTurn: true });

/**
 * The items at `keys` of `table`, strongly consistent, in the order asked (`undefined` where none
 * is stored).
 */
export function readItems(table: string, keyNames: readonly string[], keys: readonly Item[]): Promise<(Item | undefined)[]> {
  if (keys.length === 0) return Promise.resolve([]);
  return readCoalesced('', { table, keyNames, keys });
}
