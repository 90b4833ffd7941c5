import { PutCommand, QueryCommand, ScanCommand, UpdateCommand, type PutCommandInput, type QueryCommandInput, type ScanCommandInput, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
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

/** Every item of a paged read (Query or Scan), page after page. */
async function allPages<T>(page: (start: Record<string, unknown> | undefined) => Promise<{ Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> }>): Promise<T[]> {
  const items: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await page(start);
    items.push(...((out.Items ?? []) as T[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Every item a Query returns. */
export function queryAll<T = Record<string, unknown>>(input: Omit<QueryCommandInput, 'ExclusiveStartKey'>): Promise<T[]> {
  return allPages((start) => documentClient().send(new QueryCommand({ ...input, ExclusiveStartKey: start })));
}

/** Every item a Scan returns (small tables: API keys, releases). */
export function scanAll<T>(input: Omit<ScanCommandInput, 'ExclusiveStartKey'>): Promise<T[]> {
  return allPages((start) => documentClient().send(new ScanCommand({ ...input, ExclusiveStartKey: start })));
}

/** A conditional single-item update: true if it applied, false if its condition did not hold. */
export function updateIf(input: UpdateCommandInput): Promise<boolean> {
  return applied(() => documentClient().send(new UpdateCommand(input)));
}
