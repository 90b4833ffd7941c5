/**
 * Signed pagination cursors. Apart from the DynamoDB helpers: only listings need the signing
 * secret, so a module that just writes does not import it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../shared/errors.js';
import { isId } from '../shared/ids.js';
import { signingSecret } from '../shared/signing-secret.js';

function cursorMac(secret: string, scope: string, payload: string): Buffer {
  return createHmac('sha256', `cursor:${secret}`).update(`${scope}\n${payload}`).digest();
}

/**
 * Pagination cursors are opaque to clients: `base64url(LastEvaluatedKey).base64url(HMAC)`, signed
 * with the stage's signing secret and bound to one listing (`scope`, e.g. `runs:byWorkflow:wf`).
 * Only a key this API handed out for the same listing is ever passed to DynamoDB as
 * ExclusiveStartKey; anything else is a 400 `cursor: …`.
 *
 * @example
 * const start = await decodeCursor(query.cursor, 'approvals:pending');
 * const next = await encodeCursor(out.LastEvaluatedKey, 'approvals:pending');
 */
export async function encodeCursor(key: Record<string, unknown> | undefined, scope: string): Promise<string | undefined> {
  if (!key) return undefined;
  const payload = Buffer.from(JSON.stringify(key)).toString('base64url');
  return `${payload}.${cursorMac(await signingSecret(), scope, payload).toString('base64url')}`;
}

export async function decodeCursor(cursor: string | undefined, scope: string): Promise<Record<string, unknown> | undefined> {
  if (!cursor) return undefined; // none, or an empty ?cursor=: the first page
  const invalid = () => new ValidationError('cursor: not a cursor this listing returned (pass nextCursor from the previous page unchanged, with the same filters)', 'cursor');
  if (!isId('cursor', cursor)) throw invalid();
  const [payload, signature] = cursor.split('.') as [string, string];
  const expected = cursorMac(await signingSecret(), scope, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
  const parsed: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid();
  return parsed as Record<string, unknown>;
}
