import { PutCommand, ScanCommand, UpdateCommand, type PutCommandInput, type ScanCommandInput, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/aws-clients.js';

export function isConditionFailure(err: unknown): boolean {
  return err instanceof Error && err.name === 'ConditionalCheckFailedException';
}

/** A conditional single-item put (e.g. create-only): true if it applied, false if its condition did not hold. */
export async function putIf(input: PutCommandInput): Promise<boolean> {
  try {
    await documentClient().send(new PutCommand(input));
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

/** Every item a Scan returns, page after page (small tables: API keys, releases). */
export async function scanAll<T>(input: Omit<ScanCommandInput, 'ExclusiveStartKey'>): Promise<T[]> {
  const items: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient().send(new ScanCommand({ ...input, ExclusiveStartKey: start }));
    items.push(...((out.Items ?? []) as T[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** A conditional single-item update: true if it applied, false if its condition did not hold. */
export async function updateIf(input: UpdateCommandInput): Promise<boolean> {
  try {
    await documentClient().send(new UpdateCommand(input));
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}
