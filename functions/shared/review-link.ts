/**
 * Signed, expiring reviewer links (signed-claims.ts). A link is bound to one
 * approval and one reviewer; anything forged or expired is refused before any data is read.
 */
import * as z from 'zod';
import { ForbiddenError } from './errors.js';
import { readSignedClaims, signClaims } from './signed-claims.js';

const claimsSchema = z.object({ a: z.string().min(1), r: z.string().min(1), exp: z.number().int() });
export type ReviewClaims = { approvalId: string; reviewer: string; expiresAt: number };

const PURPOSE = 'review-link';

export function signReviewToken(secret: string, claims: ReviewClaims): string {
  return signClaims(secret, PURPOSE, { a: claims.approvalId, r: claims.reviewer, exp: claims.expiresAt });
}

/** @throws ForbiddenError when the token is malformed, forged or expired. */
export function verifyReviewToken(secret: string, token: string, now = Date.now()): ReviewClaims {
  const claims = readSignedClaims(secret, PURPOSE, token, claimsSchema);
  if (!claims) throw new ForbiddenError('This review link is not valid.');
  if (claims.exp * 1000 < now) throw new ForbiddenError('This review link has expired.');
  return { approvalId: claims.a, reviewer: claims.r, expiresAt: claims.exp };
}

