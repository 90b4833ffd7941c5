/**
 * Personal tokens for reviewers (CLI, scripts) expire and can be revoked one by one: a reviewer
 * signed in with the identity provider makes one; it works until its expiry or until it is revoked
 * (by its holder, or an admin by id), and then at once no more; it cannot make more of itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewerToken } from '../../functions/approvals/reviewer-tokens.js';
import { auditTrail } from '../../functions/records/audit.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { client, startTestRuntime } from '../support/local-runtime.js';

const REVIEWER = 'support-agent@example.com';
let rt: LocalRuntime;
beforeAll(async () => {
  rt = await startTestRuntime();
});
afterAll(async () => {
  await rt?.stop();
});

const asToken = (token: string) => ({ authorization: `Bearer ${token}` });
const myQueue = (token: string) => fetch(`${rt.url}/approvals`, { headers: asToken(token) });

describe('personal tokens', () => {
  it('a reviewer makes one; it works until revoked by its holder, then at once no more', async () => {
    const made = await client(rt, { as: REVIEWER }).post('/personal-tokens', { days: 1 });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ reviewer: REVIEWER, tokenId: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/) });
    const hoursLeft = (Date.parse(made.body.expiresAt) - Date.now()) / 3_600_000;
    expect(hoursLeft).toBeGreaterThan(23);
    expect(hoursLeft).toBeLessThanOrEqual(24);
    const token: string = made.body.token;
    expect((await myQueue(token)).status).toBe(200);

    // A personal token cannot make more of itself.
    expect((await client(rt, { as: null }).post('/personal-tokens', { days: 30 }, asToken(token))).status).toBe(403);

    const revoked = await client(rt, { as: null }).post('/personal-tokens/revoke', { token }, asToken(token));
    expect(revoked.body).toEqual({ tokenId: made.body.tokenId, status: 'revoked' });
    const after = await fetch(`${rt.url}/approvals`, { headers: asToken(token) });
    expect(after.status).toBe(401);
    expect(((await after.json()) as any).error.message).toContain('was revoked');
    expect((await auditTrail('personal-tokens')).map((e) => e.type)).toEqual(expect.arrayContaining(['personal_token.created', 'personal_token.revoked']));
  });

  it('an expired token is refused; an admin revokes one by id; a forged one never works', async () => {
    const expired = reviewerToken(rt.signingSecret, REVIEWER, { days: 1, now: Date.now() - 2 * 86_400_000 });
    const res = await fetch(`${rt.url}/approvals`, { headers: asToken(expired) });
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).error.message).toContain('expired');

    const token = reviewerToken(rt.signingSecret, REVIEWER);
    expect((await myQueue(token)).status).toBe(200);
    const tokenId = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).jti;
    expect((await client(rt, { as: 'support-lead@example.com' }).post('/personal-tokens/revoke', { tokenId })).status).toBe(403);
    expect((await client(rt).post('/personal-tokens/revoke', { tokenId })).status).toBe(200);
    expect((await fetch(`${rt.url}/approvals`, { headers: asToken(token) })).status).toBe(401);

    expect((await fetch(`${rt.url}/approvals`, { headers: asToken(reviewerToken('another-secret', REVIEWER)) })).status).toBe(401);
  });
});
