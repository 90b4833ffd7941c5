/**
 * API keys of webhook senders (the API keys table): one item per key, `keyId` public, the secret
 * only as its SHA-256 (the key itself is shown once, when made). Revoking is a conditional update;
 * nothing deletes a key, so its history stays.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/aws-clients.js';
import { ENV } from '../shared/env-names.js';
import { requireEnv } from '../shared/env.js';
import { putIf, scanAll, updateIf } from './dynamo-helpers.js';

export interface ApiKeyRecord {
  readonly keyId: string;
  readonly name: string;
  /** The workflows whose webhooks it may call. */
  readonly workflows: string[];
  /** SHA-256 (hex) of the key's secret part. */
  readonly secretHash: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly revokedAt?: string;
  readonly revokedBy?: string;
}

const table = () => requireEnv(ENV.apiKeysTable);

export async function putApiKey(key: ApiKeyRecord): Promise<void> {
  await documentClient().send(new PutCommand({ TableName: table(), Item: key, ConditionExpression: 'attribute_not_exists(keyId)' }));
}

/** Strongly consistent: a key revoked a moment ago is refused at once. */
export async function getApiKey(keyId: string): Promise<ApiKeyRecord | undefined> {
  const out = await documentClient().send(new GetCommand({ TableName: table(), Key: { keyId }, ConsistentRead: true }));
  return out.Item as ApiKeyRecord | undefined;
}

/** Every key (there are few: one per sender), newest first. */
export async function listApiKeys(): Promise<ApiKeyRecord[]> {
  // The table also keeps revoked personal tokens and disabled users, under keys with a '#' (key ids have none).
  const items = (await scanAll<ApiKeyRecord>({ TableName: table() })).filter((item) => !item.keyId.includes('#'));
  return items.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** Revoked personal reviewer tokens (reviewer-tokens.ts), by token id, in the same table. */
/** Where a revoked personal token is kept (its revocation is the item). */
export const revokedTokenKey = (tokenId: string) => `personal-token#${tokenId}`;

/** Records a personal token as revoked; false when it already was. */
export function revokePersonalToken(tokenId: string, owner: string, by: string, at = new Date().toISOString()): Promise<boolean> {
  return putIf({ TableName: table(), Item: { keyId: revokedTokenKey(tokenId), owner, revokedAt: at, revokedBy: by }, ConditionExpression: 'attribute_not_exists(keyId)' });
}

/** Strongly consistent: a token revoked a moment ago is refused at once. */
/** Returns false when the key does not exist or was already revoked. */
export function revokeApiKey(keyId: string, by: string, at = new Date().toISOString()): Promise<boolean> {
  return updateIf({
    TableName: table(),
    Key: { keyId },
    UpdateExpression: 'SET revokedAt = :at, revokedBy = :by',
    ConditionExpression: 'attribute_exists(keyId) AND attribute_not_exists(revokedAt)',
    ExpressionAttributeValues: { ':at': at, ':by': by },
  });
}
