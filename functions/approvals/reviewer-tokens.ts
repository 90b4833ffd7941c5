/**
 * Reviewer API credentials: `<base64url(reviewerId)>.<base64url(HMAC)>`, derived from the stage's
 * signing secret, so the API can tell who is deciding without storing passwords. Rotating the
 * secret revokes every token (and every review link).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../shared/errors.js';

function mac(secret: string, reviewerId: string): Buffer {
  return createHmac('sha256', `reviewer-api-token:${secret}`).update(reviewerId).digest();
}

export function reviewerToken(secret: string, reviewerId: string): string {
  return `${Buffer.from(reviewerId).toString('base64url')}.${mac(secret, reviewerId).toString('base64url')}`;
}

/** The reviewer id behind an `Authorization: Bearer …` header. @throws UnauthorizedError */
export function reviewerFromAuthorization(secret: string, header: string | undefined): string {
  const token = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (!token) throw new UnauthorizedError('Send the reviewer token as "Authorization: Bearer <token>" (npx handrail reviewers token <reviewer>)');
  const [id64, sig64, extra] = token.split('.');
  if (!id64 || !sig64 || extra !== undefined) throw new UnauthorizedError('The reviewer token is not valid');
  const reviewerId = Buffer.from(id64, 'base64url').toString('utf8');
  const expected = mac(secret, reviewerId);
  const given = Buffer.from(sig64, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new UnauthorizedError('The reviewer token is not valid');
  return reviewerId;
}
