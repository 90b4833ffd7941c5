/**
 * API keys for webhook senders that cannot sign (forms, simple integrations): `hrk_<keyId>_<secret>`,
 * sent as `Authorization: Bearer <key>`, scoped to named workflows, revocable one by one, stored
 * only as a hash and shown once. A key authenticates a webhook call of a workflow whose trigger
 * takes `api-key`; nothing else.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { getApiKey, putApiKey, type ApiKeyRecord } from '../records/api-keys.js';
import { bearerOf } from '../auth/bearer.js';
import { UnauthorizedError } from '../shared/errors.js';

const KEY_SHAPE = /^hrk_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

const hashOf = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** Makes a key for `workflows`: the record keeps its hash; the key is returned once. */
export async function createApiKey(input: { name: string; workflows: string[]; createdBy: string }): Promise<{ key: string; record: ApiKeyRecord }> {
  const keyId = randomBytes(9).toString('base64url').replace(/[-_]/g, 'x').slice(0, 12);
  const secret = randomBytes(32).toString('base64url');
  const record: ApiKeyRecord = { keyId, name: input.name, workflows: input.workflows, secretHash: hashOf(secret), createdAt: new Date().toISOString(), createdBy: input.createdBy };
  await putApiKey(record);
  return { key: `hrk_${keyId}_${secret}`, record };
}

/** Whether `authorization` carries an API key at all (then it must be a valid one). */
export function bearerApiKey(authorization: string | undefined): string | undefined {
  const token = bearerOf(authorization);
  return token?.startsWith('hrk_') ? token : undefined;
}

/** The key's record if it is genuine, not revoked and scoped to `workflowId`. @throws UnauthorizedError */
export async function verifyApiKey(key: string, workflowId: string): Promise<ApiKeyRecord> {
  const [, keyId, secret] = KEY_SHAPE.exec(key) ?? [];
  if (!keyId || !secret) throw new UnauthorizedError('The API key is not valid');
  const record = await getApiKey(keyId);
  const expected = Buffer.from(record?.secretHash ?? '0'.repeat(64), 'hex');
  const given = Buffer.from(hashOf(secret), 'hex');
  if (!record || !timingSafeEqual(expected, given)) throw new UnauthorizedError('The API key is not valid');
  if (record.revokedAt) throw new UnauthorizedError(`The API key ${keyId} was revoked at ${record.revokedAt}`);
  if (!record.workflows.includes(workflowId)) throw new UnauthorizedError(`The API key ${keyId} may not start workflow ${workflowId}`);
  return record;
}
