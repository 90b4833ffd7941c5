/**
 * The rewrites of an erasure (functions/erasure/) on the runs table (runs and step records) and the
 * approvals table: every item is read, page by page (a Scan), and in one that holds the person's
 * data each string that does is set on its own (a document path), conditioned on still being as
 * read, so nothing else in the item is written and a write made meanwhile (a step finishing, a
 * vote) is never overwritten: the item is read again and redacted once more. Keys are never changed
 * (they hold no person's data: run, step and approval ids).
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/aws-clients.js';
import { pointerSteps } from '../shared/json-pointer.js';
import { isConditionFailure, scanPages } from './dynamo-helpers.js';

type Item = Record<string, unknown>;
/** One string of an item to change: where (a JSON Pointer into the item), what it holds, what it becomes. */
export interface StringChange {
  readonly pointer: string;
  readonly from: string;
  readonly to: string;
}
export type ItemRedaction = (item: Item) => StringChange[];

/** Reads of an item that changed under the erasure before its update gives way to an error. */
const ATTEMPTS = 4;
/** Strings set per UpdateItem: an update expression is at most 4 KB. */
const PER_UPDATE = 20;

/** The pointer as a DynamoDB document path (`#n0.#n1[3].#n2`), its names added to `names`. */
function documentPath(item: Item, pointer: string, names: Map<string, string>): string {
  let node: unknown = item;
  let path = '';
  for (const step of pointerSteps(pointer)) {
    if (Array.isArray(node)) {
      path += `[${Number(step)}]`;
      node = node[Number(step)];
      continue;
    }
    if (!names.has(step)) names.set(step, `#n${names.size}`);
    path += `${path ? '.' : ''}${names.get(step)}`;
    node = (node as Item)[step];
  }
  return path;
}

async function update(table: string, key: Item, item: Item, changes: StringChange[]): Promise<void> {
  const names = new Map<string, string>();
  const values: Item = {};
  const sets: string[] = [];
  const conditions: string[] = [];
  changes.forEach(({ pointer, from, to }, i) => {
    const path = documentPath(item, pointer, names);
    values[`:from${i}`] = from;
    values[`:to${i}`] = to;
    sets.push(`${path} = :to${i}`);
    conditions.push(`${path} = :from${i}`);
  });
  await documentClient().send(
    new UpdateCommand({
      TableName: table,
      Key: key,
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: Object.fromEntries([...names].map(([name, placeholder]) => [placeholder, name])),
      ExpressionAttributeValues: values,
    }),
  );
}

/** The pointers changed in the item, once all its strings are redacted; undefined when it held none. */
async function redactItem(table: string, keyNames: readonly string[], read: Item, redact: ItemRedaction): Promise<string[] | undefined> {
  const key = Object.fromEntries(keyNames.map((k) => [k, read[k]]));
  const pointers = new Set<string>();
  let item: Item | undefined = read;
  for (let attempt = 1; item; attempt++) {
    const changes = redact(item);
    try {
      for (let i = 0; i < changes.length; i += PER_UPDATE) {
        await update(table, key, item, changes.slice(i, i + PER_UPDATE));
        for (const c of changes.slice(i, i + PER_UPDATE)) pointers.add(c.pointer);
      }
      return pointers.size ? [...pointers] : undefined;
    } catch (err) {
      if (!isConditionFailure(err) || attempt >= ATTEMPTS) throw err;
      item = (await documentClient().send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
    }
  }
  return pointers.size ? [...pointers] : undefined;
}

/**
 * Redacts every item of `table` (its key attributes `key`) that `redact` changes; `redacted` hears
 * of each, once it is written, with the pointers changed. Called by the records module of the
 * table (runs.ts, approvals.ts), which names it.
 */
export function redactTable(table: string, key: readonly string[], redact: ItemRedaction, redacted: (item: Item, pointers: string[]) => void): Promise<void> {
  return scanPages({ TableName: table }, async (items) => {
    for (const item of items) {
      const pointers = await redactItem(table, key, item, redact);
      if (pointers) redacted(item, pointers);
    }
  });
}
