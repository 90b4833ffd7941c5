/**
 * Signed, expiring reviewer links: `base64url(claims).base64url(hmac)`. A link is bound to one
 * approval and one reviewer; anything forged or expired is refused before any data is read.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { ForbiddenError } from './errors.js';

const claimsSchema = z.object({ a: z.string().min(1), r: z.string().min(1), exp: z.number().int() });
export type ReviewClaims = { approvalId: string; reviewer: string; expiresAt: number };

function mac(secret: string, payload: string): Buffer {
  return createHmac('sha256', `review-link:${secret}`).update(payload).digest();
}

export function signReviewToken(secret: string, claims: ReviewClaims): string {
  const payload = Buffer.from(JSON.stringify({ a: claims.approvalId, r: claims.reviewer, exp: claims.expiresAt })).toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

/** @throws ForbiddenError when the token is malformed, forged or expired. */
export function verifyReviewToken(secret: string, token: string, now = Date.now()): ReviewClaims {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) throw new ForbiddenError('This review link is not valid.');
  const expected = mac(secret, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new ForbiddenError('This review link is not valid.');
  let claims: z.infer<typeof claimsSchema>;
  try {
    claims = claimsSchema.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    throw new ForbiddenError('This review link is not valid.');
  }
  if (claims.exp * 1000 < now) throw new ForbiddenError('This review link has expired.');
  return { approvalId: claims.a, reviewer: claims.r, expiresAt: claims.exp };
}

