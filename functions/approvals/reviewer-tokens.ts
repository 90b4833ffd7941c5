/**
 * Personal API tokens for reviewers (CLI, scripts): `<base64url(JSON {r, exp, jti})>.<base64url(HMAC)>`,
 * signed with the stage's signing secret, so the API can tell who is deciding without storing
 * passwords. Each token expires (30 days unless asked otherwise, at most 90) and can be revoked on
 * its own: its id (`jti`) is recorded as revoked (records/api-keys.ts) and checked on every use.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { UnauthorizedError } from '../shared/errors.js';

export const DEFAULT_TOKEN_DAYS = 30;
export const MAX_TOKEN_DAYS = 90;

const claimsSchema = z.object({ r: z.string().min(1).max(320), exp: z.number().int(), jti: z.string().regex(/^[A-Za-z0-9_-]{16}$/) }).strict();

export interface PersonalToken {
  readonly reviewer: string;
  /** Epoch seconds. */
  readonly expiresAt: number;
  /** The token's own id: what revoking it records. */
  readonly tokenId: string;
}

function mac(secret: string, payload: string): Buffer {
  return createHmac('sha256', `reviewer-api-token:${secret}`).update(payload).digest();
}

/** A new token for `reviewer`, valid `days` (1 to 90) from `now`. */
export function reviewerToken(secret: string, reviewer: string, { days = DEFAULT_TOKEN_DAYS, now = Date.now() }: { days?: number; now?: number } = {}): string {
  const claims = { r: reviewer, exp: Math.floor(now / 1000) + Math.round(Math.min(Math.max(days, 1 / 24), MAX_TOKEN_DAYS) * 86_400), jti: randomBytes(12).toString('base64url') };
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

/** The token's claims if its signature holds and it has not expired (revocation is checked by the caller). @throws UnauthorizedError */
export function verifyReviewerToken(secret: string, token: string, now = Date.now()): PersonalToken {
  const [payload, sig, extra] = token.split('.');
  if (!payload || !sig || extra !== undefined) throw new UnauthorizedError('The reviewer token is not valid');
  const expected = mac(secret, payload);
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new UnauthorizedError('The reviewer token is not valid');
  let claims: z.infer<typeof claimsSchema>;
  try {
    claims = claimsSchema.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    throw new UnauthorizedError('The reviewer token is not valid');
  }
  if (claims.exp * 1000 <= now) throw new UnauthorizedError(`The reviewer token expired at ${new Date(claims.exp * 1000).toISOString()}; make a new one (npx handrail tokens create)`);
  return { reviewer: claims.r, expiresAt: claims.exp, tokenId: claims.jti };
}

/** The bearer token of an `Authorization` header. @throws UnauthorizedError */
export function bearerToken(header: string | undefined): string {
  const token = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (!token) throw new UnauthorizedError('Sign in: send "Authorization: Bearer <token>" (locally: npx handrail login <user>)');
  return token;
}
