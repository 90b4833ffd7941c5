/**
 * Browser sign-in on the local runtime (the API as the relying party of its embedded issuer) and
 * sensitive approval steps (`signIn: required`): the review link wants a session of its reviewer on
 * top, personal tokens and link-only decisions are refused, an ID token still decides, and every
 * decision is audited with how its reviewer was authenticated. The browser is played with fetch
 * here; tests/local/sign-in.browser.e2e.test.ts does it in Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewerToken } from '../../functions/approvals/reviewer-tokens.js';
import { auditTrail } from '../../functions/records/audit.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { client, pendingApprovalOf, startTestRuntime, waitForRun } from '../support/local-runtime.js';
import { browserSignIn, cookieHeader, cookiesOf, hiddenFields, sensitiveWorkflowsDir } from '../support/sign-in.js';

const REVIEWER = 'support-agent@example.com';
let rt: LocalRuntime;

beforeAll(async () => {
  delete process.env.SUPPORT_REPLY_URL;
  rt = await startTestRuntime({ workflowsDir: sensitiveWorkflowsDir() });
}, 120_000);

afterAll(async () => {
  await rt?.stop();
});

/** A pending sensitive approval and its reviewer's link (as the admin reads it). */
async function pendingReview(ticketId: string) {
  const api = client(rt);
  const { runId } = (await api.post('/webhooks/support-reply', { ticketId, subject: 'Refund for my annual plan', body: 'How do I get a refund?' })).body;
  const approval = await pendingApprovalOf(rt, runId);
  const link: string = (await api.get(`/approvals/${approval.approvalId}`)).body.reviewLinks[REVIEWER];
  return { runId, approval, link, path: new URL(link).pathname };
}

describe('browser sign-in', () => {
  it("the issuer's discovery document advertises the code flow with PKCE", async () => {
    const doc = await (await fetch(`${rt.url}/local-idp/.well-known/openid-configuration`)).json();
    expect(doc).toMatchObject({
      authorization_endpoint: `${rt.url}/local-idp/authorize`,
      token_endpoint: `${rt.url}/local-idp/token`,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none'],
    });
  });

  it('signs in and returns to returnTo with an HttpOnly, SameSite=Lax session cookie that expires with the ID token', async () => {
    const { callback, location } = await browserSignIn(rt, REVIEWER, '/review/some-path?x=1');
    expect(callback.status).toBe(303);
    expect(location).toBe('/review/some-path?x=1');
    const session = callback.headers.getSetCookie().find((c) => c.startsWith('handrail-session='))!;
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/; SameSite=Lax/);
    expect(session).not.toMatch(/Secure/); // http://localhost only
    const maxAge = Number(/Max-Age=(\d+)/.exec(session)![1]);
    expect(maxAge).toBeGreaterThan(3500);
    expect(maxAge).toBeLessThanOrEqual(3600);
    // The transaction cookie is used once.
    expect(callback.headers.getSetCookie().find((c) => c.startsWith('handrail-sign-in='))).toMatch(/Max-Age=0/);
  });

  it('without returnTo, says who is signed in', async () => {
    const { callback } = await browserSignIn(rt, REVIEWER);
    expect(callback.status).toBe(200);
    expect(await callback.text()).toContain(`signed in as <strong>${REVIEWER}</strong>`);
  });

  it.each(['https://evil.example/', '//evil.example/x', '/\\evil.example', 'review/x', 'javascript:alert(1)'])('refuses returnTo %s (no open redirect)', async (returnTo) => {
    const res = await fetch(`${rt.url}/auth/login?returnTo=${encodeURIComponent(returnTo)}`, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('returnTo: a path on this site');
  });

  it('the sign-in page wants the sign-in code from the data folder, and its own Origin', async () => {
    await expect(browserSignIn(rt, 'admin@example.com', undefined, 'aaaa-bbbb-cccc-dddd-eeee')).rejects.toThrow(/answered 401.*sign-in code is not right/s);
    const login = await fetch(`${rt.url}/auth/login`, { redirect: 'manual' });
    const authorize = login.headers.get('location')!;
    const fields = hiddenFields(await (await fetch(authorize)).text());
    const crossSite = await fetch(authorize, { method: 'POST', redirect: 'manual', headers: { origin: 'https://evil.example' }, body: new URLSearchParams({ ...fields, user: 'admin@example.com', signInCode: 'x' }) });
    expect(crossSite.status).toBe(403);
  });

  it('the issuer sends codes only to its registered redirect URIs', async () => {
    const res = await fetch(`${rt.url}/local-idp/authorize?response_type=code&client_id=handrail-local&redirect_uri=${encodeURIComponent('https://evil.example/callback')}&scope=openid&state=12345678&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('not a redirect URI of handrail-local');
  });

  it('a callback without its transaction cookie, or with another state, signs nobody in', async () => {
    const login = await fetch(`${rt.url}/auth/login`, { redirect: 'manual' });
    const noCookie = await fetch(`${rt.url}/auth/callback?code=x&state=y`, { redirect: 'manual' });
    expect(noCookie.status).toBe(400);
    const otherState = await fetch(`${rt.url}/auth/callback?code=x&state=y&iss=${encodeURIComponent(`${rt.url}/local-idp`)}`, { redirect: 'manual', headers: { cookie: cookieHeader(cookiesOf(login)) } });
    expect(otherState.status).toBe(401);
    expect(otherState.headers.getSetCookie().some((c) => c.startsWith('handrail-session=') && !/Max-Age=0/.test(c))).toBe(false);
  });

  it('the session cookie is never a Bearer token: JSON API routes answer 401 to it', async () => {
    const { jar } = await browserSignIn(rt, 'admin@example.com');
    const res = await fetch(`${rt.url}/approvals`, { headers: { cookie: cookieHeader(jar) } });
    expect(res.status).toBe(401);
  });

  it('signs out with a form from its own pages (Origin checked)', async () => {
    const { jar } = await browserSignIn(rt, REVIEWER);
    const crossSite = await fetch(`${rt.url}/auth/logout`, { method: 'POST', headers: { cookie: cookieHeader(jar), origin: 'https://evil.example' }, body: new URLSearchParams({}) });
    expect(crossSite.status).toBe(403);
    const res = await fetch(`${rt.url}/auth/logout`, { method: 'POST', headers: { cookie: cookieHeader(jar), origin: rt.url }, body: new URLSearchParams({ returnTo: '/review/abc' }) });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie().find((c) => c.startsWith('handrail-session='))).toMatch(/Max-Age=0/);
    expect(await res.text()).toContain('/auth/login?returnTo=%2Freview%2Fabc');
  });
});

describe('a sensitive approval step (signIn: required)', () => {
  it('the review link sends a browser without a session to sign in, and back', async () => {
    const { path, link } = await pendingReview('T-SENS-1');
    const res = await fetch(link, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`/auth/login?returnTo=${encodeURIComponent(path)}`);
  });

  it('signed in as the reviewer: the page, then a decision recorded as link + session, and the run is delivered', async () => {
    const { runId, approval, link, path } = await pendingReview('T-SENS-2');
    const { jar, location } = await browserSignIn(rt, REVIEWER, path);
    expect(location).toBe(path);
    const page = await fetch(link, { headers: { cookie: cookieHeader(jar) } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`you are signed in as <strong>${REVIEWER}</strong>`);
    const form = new URLSearchParams({ action: 'approve', draftHash: approval.draftHash });
    // Relying on the cookie, the form must come from this site.
    expect((await fetch(link, { method: 'POST', headers: { cookie: cookieHeader(jar) }, body: form })).status).toBe(403);
    const decided = await fetch(link, { method: 'POST', headers: { cookie: cookieHeader(jar), origin: rt.url }, body: form });
    expect(decided.status).toBe(200);
    expect(await decided.text()).toContain('Your decision is recorded');
    await waitForRun(rt, runId, ['delivered']);
    const trail = await auditTrail(runId);
    expect(trail.find((e) => e.type === 'approval.decided')).toMatchObject({ actor: REVIEWER, details: { channel: 'review_link', authenticatedBy: 'review_link+session' } });
  });

  it("another reviewer's session is refused with a page that says whose link it is; nothing is decided", async () => {
    const { runId, approval, link, path } = await pendingReview('T-SENS-3');
    const { jar } = await browserSignIn(rt, 'support-lead@example.com', path);
    const page = await fetch(link, { headers: { cookie: cookieHeader(jar) } });
    expect(page.status).toBe(403);
    const text = await page.text();
    expect(text).toContain(`This review link is for <strong>${REVIEWER}</strong>`);
    expect(text).not.toContain(approval.draftHash);
    const post = await fetch(link, { method: 'POST', headers: { cookie: cookieHeader(jar), origin: rt.url }, body: new URLSearchParams({ action: 'approve', draftHash: approval.draftHash }) });
    expect(post.status).toBe(403);
    expect((await client(rt).get(`/approvals/${approval.approvalId}`)).body.status).toBe('pending');
    expect(await auditTrail(runId)).toContainEqual(expect.objectContaining({ type: 'review_link.denied', actor: 'support-lead@example.com', details: expect.objectContaining({ reason: 'signed_in_as_another_person' }) }));
  });

  it('the link alone cannot decide (401 page); a personal token cannot (403, audited); an ID token can', async () => {
    const { runId, approval, link } = await pendingReview('T-SENS-4');
    const linkOnly = await fetch(link, { method: 'POST', body: new URLSearchParams({ action: 'approve', draftHash: approval.draftHash }) });
    expect(linkOnly.status).toBe(403); // no Origin: refused before the session is even looked at
    const noSession = await fetch(link, { method: 'POST', headers: { origin: rt.url }, body: new URLSearchParams({ action: 'approve', draftHash: approval.draftHash }) });
    expect(noSession.status).toBe(401);
    expect(await noSession.text()).toContain('needs a sign-in');
    const personal = await client(rt).post(`/approvals/${approval.approvalId}/decision`, { action: 'approve', draftHash: approval.draftHash }, { authorization: `Bearer ${reviewerToken(rt.signingSecret, REVIEWER)}` });
    expect(personal.status).toBe(403);
    expect(personal.body.error.message).toMatch(/needs a sign-in/);
    const signedIn = await client(rt, { as: REVIEWER }).post(`/approvals/${approval.approvalId}/decision`, { action: 'approve', draftHash: approval.draftHash });
    expect(signedIn.status).toBe(200);
    const trail = await auditTrail(runId);
    expect(trail).toContainEqual(expect.objectContaining({ type: 'approval.decision_refused', details: expect.objectContaining({ reason: 'sign_in_required', channel: 'api' }) }));
    expect(trail.find((e) => e.type === 'approval.decided')).toMatchObject({ details: { channel: 'api', authenticatedBy: 'id_token' } });
  });
});
