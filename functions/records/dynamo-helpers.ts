import { BatchGetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand, type PutCommandInput, type QueryCommandInput, type ScanCommandInput, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/aws-clients.js';

export function isConditionFailure(err: unknown): boolean {
  return err instanceof Error && err.name === 'ConditionalCheckFailedException';
}

/** Sends a conditional write: true if it applied, false if its condition did not hold. */
async function applied(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

/** A conditional single-item put (e.g. create-only): true if it applied, false if its condition did not hold. */
export function putIf(input: PutCommandInput): Promise<boolean> {
  return applied(() => documentClient().send(new PutCommand(input)));
}

type Page = { Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> };

/**
 * A paged read (Query or Scan), page after page, each handed to `onPage` before the next is read;
 * `onPage` answering `false` stops it there.
 */
async function eachPage(page: (start: Record<string, unknown> | undefined) => Promise<Page>, onPage: (items: Record<string, unknown>[]) => Promise<void | boolean> | void | boolean): Promise<void> {
  let start: Record<string, unknown> | undefined;
  do {
    const out = await page(start);
    if ((await onPage(out.Items ?? [])) === false) return;
    start = out.LastEvaluatedKey;
  } while (start);
}

/** Every item of a paged read (Query or Scan), page after page. */
async function allPages<T>(page: (start: Record<string, unknown> | undefined) => Promise<Page>): Promise<T[]> {
  const items: T[] = [];
  await eachPage(page, (found) => void items.push(...(found as T[])));
  return items;
}

/** Every item a Query returns. */
export function queryAll<T = Record<string, unknown>>(input: Omit<QueryCommandInput, 'ExclusiveStartKey'>): Promise<T[]> {
  return allPages((start) => documentClient().send(new QueryCommand({ ...input, ExclusiveStartKey: start })));
}

/**
 * The items a Query returns that `keep` keeps, page after page, up to `max` of them: `partial` says
 * the read stopped there with more left to read.
 */
export async function queryUpTo<T = Record<string, unknown>>(input: Omit<QueryCommandInput, 'ExclusiveStartKey'>, max: number, keep: (item: T) => boolean = () => true): Promise<{ items: T[]; partial: boolean }> {
  const items: T[] = [];
  let partial = false;
  await eachPage(
    (start) => documentClient().send(new QueryCommand({ ...input, ExclusiveStartKey: start })),
    (found) => {
      items.push(...(found as T[]).filter(keep));
      partial = items.length >= max;
      return !partial;
    },
  );
  return { items: items.slice(0, max), partial };
}

/** Every item a Scan returns (small tables: API keys, releases). */
export function scanAll<T>(input: Omit<ScanCommandInput, 'ExclusiveStartKey'>): Promise<T[]> {
  return allPages((start) => documentClient().send(new ScanCommand({ ...input, ExclusiveStartKey: start })));
}

/** A whole-table Scan a page at a time (tables too large to hold at once): `onPage` has each page before the next is read. */
export function scanPages(input: Omit<ScanCommandInput, 'ExclusiveStartKey'>, onPage: (items: Record<string, unknown>[]) => Promise<void>): Promise<void> {
  return eachPage((start) => documentClient().send(new ScanCommand({ ...input, ExclusiveStartKey: start })), onPage);
}

/** Retries for the items or keys a batch request leaves unprocessed (throttling), with backoff, before it fails. */
const UNPROCESSED_RETRIES = 5;

/**
 * Sends `pending` with `send`, then again whatever `send` answers DynamoDB left unprocessed, until
 * nothing is left (BatchWriteItem, BatchGetItem); `what` names them in the error.
 */
export async function untilProcessed<T>(pending: T[], send: (batch: T[]) => Promise<T[]>, what: string): Promise<void> {
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > UNPROCESSED_RETRIES) throw new Error(`${pending.length} ${what} left unprocessed by DynamoDB after ${UNPROCESSED_RETRIES} retries`);
    if (attempt > 0) await new Promise((r) => setTimeout(r, 25 * 2 ** attempt));
    pending = await send(pending);
  }
}

/** BatchGetItem takes at most 100 keys a request. */
const MAX_BATCH_KEYS = 100;

type Item = Record<string, unknown>;

/**
 * The stored items of `keys` (each with the table it came from), strongly consistent: 100 keys a
 * request, the keys DynamoDB leaves unprocessed asked again; `what` names them in the error.
 */
export async function getConsistent(keys: readonly { table: string; key: Item }[], what: string): Promise<{ table: string; item: Item }[]> {
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
      what,
    );
  }
  return found;
}

/** A conditional single-item update: true if it applied, false if its condition did not hold. */
export function updateIf(input: UpdateCommandInput): Promise<boolean> {
  return applied(() => documentClient().send(new UpdateCommand(input)));
}
