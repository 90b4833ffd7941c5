/**
 * Strongly consistent reads of items by key, of any tables, that share a round trip: reads asked
 * in the same turn, or while one is in flight, go together in the next BatchGetItem (coalesced.ts),
 * so every read still starts after its caller asked and sees every write made before. One
 * invocation at a time (Lambda) sends one request per read; the local runtime's concurrent step
 * invocations, which each read their run back (functions/steps/run-view.ts), one for many runs.
 */
import { coalesced } from './coalesced.js';
import { getConsistent } from './dynamo-helpers.js';

type Item = Record<string, unknown>;

export interface KeyRead {
  readonly table: string;
  /** The table's key attributes (partition, then sort key if it has one). */
  readonly keyNames: readonly string[];
  readonly keys: readonly Item[];
}

const idOf = (table: string, keyNames: readonly string[], item: Item) => JSON.stringify([table, ...keyNames.map((name) => item[name])]);

// Pure: esbuild drops it from bundles that never read this way (tests/infra/least-privilege).
const readCoalesced = /* @__PURE__ */ coalesced<KeyRead, (Item | undefined)[]>(async (_all, reads) => {
  // A key asked twice (two reads of one run at once) is asked once: BatchGetItem refuses duplicates.
  const unique = new Map<string, { table: string; key: Item }>();
  for (const read of reads) for (const key of read.keys) unique.set(idOf(read.table, read.keyNames, key), { table: read.table, key });
  const keyNamesOf = new Map(reads.map((r) => [r.table, r.keyNames]));
  const byId = new Map((await getConsistent([...unique.values()], 'item key(s) to read')).map(({ table, item }) => [idOf(table, keyNamesOf.get(table)!, item), item]));
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
