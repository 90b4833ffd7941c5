/**
 * Request counters of the throttle table: one item per caller and window, `bucket` =
 * `<kind>#<caller>#<window index>`, incremented by one atomic UpdateItem (ADD), which answers with
 * the new count. The table's TTL deletes an item once its window is over (DynamoDB deletes expired
 * items within days, not at once; a counter is never read after its window, so a late delete is
 * harmless).
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/aws-clients.js';
import { ENV } from '../shared/env-names.js';
import { requireEnv } from '../shared/env.js';
import { TTL_ATTRIBUTE } from '../shared/ttl.js';
import { coalesced } from './coalesced.js';

/** Adds `n` requests to `bucket` and returns how many it has now; `expiresAt` (epoch seconds) is set on its first request. */
async function addRequests(bucket: string, n: number, expiresAt: number): Promise<number> {
  const out = await documentClient().send(
    new UpdateCommand({
      TableName: requireEnv(ENV.throttleTable),
      Key: { bucket },
      UpdateExpression: 'ADD #n :n SET #ttl = if_not_exists(#ttl, :ttl)',
      ExpressionAttributeNames: { '#n': 'requests', '#ttl': TTL_ATTRIBUTE },
      ExpressionAttributeValues: { ':n': n, ':ttl': expiresAt },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return Number(out.Attributes?.requests);
}

/** Concurrent requests to one bucket share a write; each learns its own place in the window. */
const countCoalesced = coalesced<number, number>(async (bucket, expiries) => {
  const total = await addRequests(bucket, expiries.length, expiries[0]!);
  return expiries.map((_, i) => total - expiries.length + i + 1);
});

/** Adds one request to `bucket` and returns how many it has now (this request's place in the window). */
export function countRequest(bucket: string, expiresAt: number): Promise<number> {
  return countCoalesced(bucket, expiresAt);
}
