/**
 * Per-caller throttling on the local runtime, with the limits of a stage that declares them small
 * (tests/fixtures/stages/throttle.yaml): a burst from one caller gets 429 with Retry-After and a
 * JSON error naming the limit (a page on /review), while another caller still passes; a refused
 * webhook starts no run; the first refusal is audited once; the window reopens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewerToken } from '../../functions/approvals/reviewer-tokens.js';
import { slackSignature } from '../../functions/notifications/slack-signature.js';
import { auditTrail } from '../../functions/records/audit.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { client, startTestRuntime, waitFor } from '../support/local-runtime.js';

const STAGES_FILE = process.env.HANDRAIL_STAGES_FILE;
/** tests/fixtures/stages/throttle.yaml: every kind, 3 requests per 5 s (people: 4); long enough for a burst on a busy machine. */
const WINDOW_MS = 5_000;
const SLACK_SECRET = 'throttle-test-slack-signing-secret';

let rt: LocalRuntime;
let reviewLink: string;
let reviewer: string;

/** Waits for the start of a fresh window, so a burst is counted in one window. */
async function freshWindow(): Promise<void> {
  await new Promise((r) => setTimeout(r, WINDOW_MS - (Date.now() % WINDOW_MS) + 50));
}

beforeAll(async () => {
  process.env.HANDRAIL_STAGES_FILE = 'tests/fixtures/stages/throttle.yaml';
  rt = await startTestRuntime({ env: { SLACK_SIGNING_SECRET: SLACK_SECRET } });
  const admin = client(rt);
  await admin.post('/webhooks/support-reply', { ticketId: 'T-1', subject: 'Export', body: 'Can I export my data?' });
  const approval = await waitFor(async () => {
    const pending = (await admin.get('/approvals?status=pending')).body?.approvals?.[0];
    return pending && (await admin.get(`/approvals/${pending.approvalId}`)).body;
  }, 'a pending approval', 60_000);
  reviewer = approval.reviewers[0];
  reviewLink = new URL(approval.reviewLinks[reviewer]).pathname;
}, 120_000);

afterAll(async () => {
  await rt?.stop();
  process.env.HANDRAIL_STAGES_FILE = STAGES_FILE;
});

describe('per-caller throttling', { timeout: 60_000 }, () => {
  it('refuses a signed-in person over the limit with 429, Retry-After and the limit, lets another person through, audits once, and reopens', async () => {
    const admin = client(rt);
    const auditor = client(rt, { as: 'auditor@example.com' });
    await freshWindow();
    const since = new Date().toISOString();
    const burst = [];
    for (let i = 0; i < 6; i++) burst.push(await admin.get('/runs?limit=1'));
    expect(burst.map((r) => r.status)).toEqual([200, 200, 200, 200, 429, 429]);
    const refused = burst[4]!;
    expect(refused.body.error).toMatchObject({ code: 'TooManyRequestsError', limit: { kind: 'person', requests: 4, windowSeconds: 5 } });
    expect(refused.body.error.message).toMatch(/signed-in person may send 4 per 5 s .*retry in \d+ s/);
    const retryAfter = refused.body.error.retryAfterSeconds;
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(5);
    const raw = await fetch(`${rt.url}/runs?limit=1`, { headers: { authorization: `Bearer ${await rt.login('admin@example.com')}` } });
    expect(raw.status).toBe(429);
    expect(Number(raw.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Another caller, same window: not affected.
    expect((await auditor.get('/runs?limit=1')).status).toBe(200);
    // One audit event for the flood, naming who and which limit.
    const events = (await auditTrail('access')).filter((e) => e.type === 'access.throttled' && e.actor === 'person:admin@example.com' && e.time >= since);
    expect(events).toHaveLength(1);
    expect(events[0]!.details).toMatchObject({ route: 'GET /runs', kind: 'person', limit: '4 per 5 s' });
    // The window reopens.
    await new Promise((r) => setTimeout(r, retryAfter * 1000 + 100));
    expect((await admin.get('/runs?limit=1')).status).toBe(200);
  });

  it('refuses a webhook sender over its limit before anything starts (no run), while an API-key sender still passes', async () => {
    const admin = client(rt);
    await freshWindow();
    const key: string = (await admin.post('/api-keys', { name: 'Form', workflows: ['support-reply'] })).body.key;
    const sent = [];
    for (let i = 0; i < 4; i++) sent.push(await admin.post('/webhooks/support-reply', { ticketId: `B-${i}`, subject: 'Burst', body: 'Hello' }, { 'idempotency-key': `burst-${i}` }));
    expect(sent.map((r) => r.status)).toEqual([202, 202, 202, 429]);
    expect(sent[3]!.body.error.limit).toEqual({ kind: 'webhook', requests: 3, windowSeconds: 5 });
    const byKey = await fetch(`${rt.url}/webhooks/support-reply`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'idempotency-key': 'by-key' },
      body: JSON.stringify({ ticketId: 'K-1', subject: 'Key', body: 'Hello' }),
    });
    expect(byKey.status).toBe(202);
    // The refused call started nothing: its idempotency key is still free (a new run, not a duplicate).
    await freshWindow();
    const again = await admin.post('/webhooks/support-reply', { ticketId: 'B-3', subject: 'Burst', body: 'Hello' }, { 'idempotency-key': 'burst-3' });
    expect(again).toMatchObject({ status: 202, body: { duplicate: false } });
  });

  it('limits a review link holder by the link\'s reviewer (a readable page), and a personal token by its reviewer', async () => {
    await freshWindow();
    const pages = [];
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${rt.url}${reviewLink}`);
      pages.push({ status: res.status, type: res.headers.get('content-type'), retryAfter: res.headers.get('retry-after'), text: await res.text() });
    }
    expect(pages.map((p) => p.status)).toEqual([200, 200, 200, 429]);
    expect(pages[3]!.type).toMatch(/text\/html/);
    expect(pages[3]!.text).toContain('Too many requests');
    expect(Number(pages[3]!.retryAfter)).toBeGreaterThanOrEqual(1);

    const token = reviewerToken(rt.signingSecret, reviewer);
    const calls = [];
    for (let i = 0; i < 4; i++) calls.push((await fetch(`${rt.url}/approvals`, { headers: { authorization: `Bearer ${token}` } })).status);
    expect(calls).toEqual([200, 200, 200, 429]);
  });

  it('limits Slack by the team of a genuinely signed request; another team still passes', async () => {
    const slack = async (team: string, n: number) => {
      const raw = `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', team: { id: team }, actions: [], n }))}`;
      const ts = String(Math.floor(Date.now() / 1000));
      const res = await fetch(`${rt.url}/slack/interactions`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': ts, 'x-slack-signature': slackSignature(SLACK_SECRET, ts, raw) },
        body: raw,
      });
      return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
    };
    await freshWindow();
    const burst = [];
    for (let i = 0; i < 4; i++) burst.push(await slack('T0ACME', i));
    expect(burst.slice(0, 3).map((r) => r.status)).not.toContain(429);
    expect(burst[3]).toMatchObject({ status: 429, body: { error: { limit: { kind: 'slack', requests: 3 } } } });
    expect((await slack('T0OTHER', 9)).status).not.toBe(429);
  });

  it('limits anonymous callers of public and sign-in routes by source address', async () => {
    await freshWindow();
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${rt.url}/health`)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    // A browser signing in has proved nothing yet either: the same address, the same limit.
    expect((await fetch(`${rt.url}/auth/login`, { redirect: 'manual' })).status).toBe(429);
    // A signed-in person is counted as themselves, not by address.
    expect((await client(rt, { as: 'auditor@example.com' }).get('/runs?limit=1')).status).toBe(200);
  });
});
