/**
 * Claims signed with a stage secret: `base64url(JSON claims).base64url(HMAC-SHA256)`, the key bound
 * to a purpose (`<purpose>:<secret>`) so a token made for one use (a review link) is never valid for
 * another (a personal API token). Review links and personal reviewer tokens are made this way.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ZodType } from 'zod';

function mac(secret: string, purpose: string, payload: string): Buffer {
  return createHmac('sha256', `${purpose}:${secret}`).update(payload).digest();
}

export function signClaims(secret: string, purpose: string, claims: object): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${payload}.${mac(secret, purpose, payload).toString('base64url')}`;
}

/** The claims, checked against `schema`; undefined when the token is malformed, forged or its claims do not fit. */
export function readSignedClaims<T>(secret: string, purpose: string, token: string, schema: ZodType<T>): T | undefined {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) return undefined;
  const expected = mac(secret, purpose, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
