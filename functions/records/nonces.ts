/**
 * Single-use values (a Slack request's signature, a webhook's id): one create-only put each into
 * the audit table (a single-item write, as everywhere in Handrail; create-only, as every write to
 * that table), so the second use of a value loses. The table's TTL deletes each once a replay
 * would be refused as too old anyway.
 */
import { ENV } from '../shared/env-names.js';
import { requireEnv } from '../shared/env.js';
import { TTL_ATTRIBUTE } from '../shared/ttl.js';
import { CREATE_ONLY } from './audit.js';
import { putIf } from './dynamo-helpers.js';

/** Returns false if the value was already used. */
export type NonceClaim = (nonce: string, expiresAt: number) => Promise<boolean>;

/** Claims `nonce` (namespaced by its caller, e.g. `slack-nonce#<sig>`) until `expiresAt` (epoch seconds). */
export const claimNonce: NonceClaim = (nonce, expiresAt) =>
  putIf({
    TableName: requireEnv(ENV.auditTable),
    Item: { subject: nonce, at: 'nonce', receivedAt: new Date().toISOString(), [TTL_ATTRIBUTE]: expiresAt },
    ConditionExpression: CREATE_ONLY,
  });
