import { describe, expect, it } from 'vitest';
import { MAX_TOKEN_DAYS, reviewerToken, verifyReviewerToken } from '../../../functions/approvals/reviewer-tokens.js';

const secret = 'a-signing-secret';
const now = Date.UTC(2026, 10, 30);

describe('personal reviewer tokens', () => {
  it('name their reviewer, their own id and an expiry (30 days unless asked, at most 90)', () => {
    const token = reviewerToken(secret, 'sam@example.com', { now });
    expect(verifyReviewerToken(secret, token, now)).toEqual({ reviewer: 'sam@example.com', expiresAt: now / 1000 + 30 * 86_400, tokenId: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/) });
    expect(verifyReviewerToken(secret, reviewerToken(secret, 'sam@example.com', { now, days: 365 }), now).expiresAt).toBe(now / 1000 + MAX_TOKEN_DAYS * 86_400);
    expect(reviewerToken(secret, 'sam@example.com', { now })).not.toBe(token); // each its own id
  });

  it.each([
    ['expired', reviewerToken(secret, 'sam@example.com', { now: now - 31 * 86_400_000 }), /expired at/],
    ['signed with another secret', reviewerToken('other', 'sam@example.com', { now }), /not valid/],
    ['with its claims changed', (() => {
      const [payload, sig] = reviewerToken(secret, 'sam@example.com', { now }).split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
      return `${Buffer.from(JSON.stringify({ ...claims, r: 'admin@example.com' })).toString('base64url')}.${sig}`;
    })(), /not valid/],
    ['in the old form (no expiry)', 'c2FtQGV4YW1wbGUuY29t.AAAA', /not valid/],
    ['malformed', 'a.b.c', /not valid/],
  ])('refuses a token %s', (_case, token, message) => {
    expect(() => verifyReviewerToken(secret, token, now)).toThrow(message);
  });
});
