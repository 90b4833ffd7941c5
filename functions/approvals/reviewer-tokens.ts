/**
 * Personal API tokens for reviewers (CLI, scripts): claims `{r, exp, jti}` signed with the stage's
 * signing secret (shared/signed-claims.ts), so the API can tell who is deciding without storing
 * passwords. Each token expires (30 days unless asked otherwise, at most 90) and can be revoked on
 * its own: its id (`jti`) is recorded as revoked (records/api-keys.ts) and checked on every use.
 */
import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { UnauthorizedError } from '../shared/errors.js';
import { readSignedClaims, signClaims } from '../shared/signed-claims.js';

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

const PURPOSE = 'reviewer-api-token';

/** A new token for `reviewer`, valid `days` (1 to 90) from `now`, with what it says of itself. */
export function issueReviewerToken(secret: string, reviewer: string, { days = DEFAULT_TOKEN_DAYS, now = Date.now() }: { days?: number; now?: number } = {}): PersonalToken & { token: string } {
  const expiresAt = Math.floor(now / 1000) + Math.round(Math.min(Math.max(days, 1 / 24), MAX_TOKEN_DAYS) * 86_400);
  const tokenId = randomBytes(12).toString('base64url');
  return { token: signClaims(secret, PURPOSE, { r: reviewer, exp: expiresAt, jti: tokenId }), reviewer, expiresAt, tokenId };
}

/** A new token for `reviewer` (issueReviewerToken's token). */
export function reviewerToken(secret: string, reviewer: string, options?: { days?: number; now?: number }): string {
  return issueReviewerToken(secret, reviewer, options).token;
}

/** The token's claims if its signature holds and it has not expired (revocation is checked by the caller). @throws UnauthorizedError */
export function verifyReviewerToken(secret: string, token: string, now = Date.now()): PersonalToken {
  const claims = readSignedClaims(secret, PURPOSE, token, claimsSchema);
  if (!claims) throw new UnauthorizedError('The reviewer token is not valid');
  if (claims.exp * 1000 <= now) throw new UnauthorizedError(`The reviewer token expired at ${new Date(claims.exp * 1000).toISOString()}; make a new one (npx handrail tokens create)`);
  return { reviewer: claims.r, expiresAt: claims.exp, tokenId: claims.jti };
}
