/**
 * Security headers on every answer of the API (api/security-headers.ts), through its public door:
 * HTML pages get a policy that allows exactly their stylesheet and forms posting to themselves;
 * JSON and everything else a policy that allows nothing. Every page the app renders must live within
 * its policy: one `<style>` whose hash the policy names, no style attribute, no script.
 */
import { createHash } from 'node:crypto';
import type { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { messagePage, reviewPage } from '../../../functions/api/routes/review-page.js';
import { captureLogs } from '../../support/log-capture.js';
import { reviewToken, storelessApp } from './app-env.js';
import { sampleApproval } from '../notifications/fixtures.js';

let app: Hono;
beforeAll(async () => {
  app = await storelessApp();
});

const styleHashOf = (page: string) => `'sha256-${createHash('sha256').update(/<style>([\s\S]*?)<\/style>/.exec(page)![1]!).digest('base64')}'`;

/** Every answer, whatever it is. */
const EVERY_ANSWER = {
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'cache-control': 'no-store',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};
const DATA_POLICY = "default-src 'none'; frame-ancestors 'none'";

const headersOf = (res: Response, names: string[]) => Object.fromEntries(names.map((n) => [n, res.headers.get(n)]));

describe('an HTML page', () => {
  it.each([
    ['a forged review link (403 page)', 'GET', `/review/${reviewToken().slice(0, -4)}AAAA`, 403],
    ['a malformed inbox link (403 page)', 'GET', '/inbox/not-a-link', 403],
    ['a review link whose approval cannot be read (500 page)', 'GET', `/review/${reviewToken()}`, 500],
  ])('%s carries the page policy and every header', async (_case, method, path, status) => {
    // Act (the 500's log line is not this test's business)
    const logs = captureLogs();
    const res = await Promise.resolve(app.request(path, { method })).finally(() => logs.restore());
    const page = await res.text();
    // Assess
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(headersOf(res, Object.keys(EVERY_ANSWER))).toEqual(EVERY_ANSWER);
    expect(res.headers.get('content-security-policy')).toBe(
      `default-src 'none'; style-src ${styleHashOf(page)}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    );
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});

describe('a JSON answer', () => {
  it.each([
    ['GET /health', 'GET', '/health', {}, 200],
    ['GET /openapi.json', 'GET', '/openapi.json', {}, 200],
    ['an unknown route (404)', 'GET', '/nope', {}, 404],
    ['a forged ID token (401)', 'GET', '/runs', { authorization: 'Bearer eyJhbGciOiJFUzI1NiJ9.e30.AAAA' }, 401],
    ['a body over the limit (413)', 'POST', '/webhooks/quick-escalation', { 'content-type': 'application/json', 'content-length': '999999' }, 413],
  ])('%s carries the data policy and every header', async (_case, method, path, headers, status) => {
    // Act
    const res = await app.request(path, { method, headers, ...(method === 'POST' ? { body: '{}' } : {}) });
    // Assess
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(headersOf(res, Object.keys(EVERY_ANSWER))).toEqual(EVERY_ANSWER);
    expect(res.headers.get('content-security-policy')).toBe(DATA_POLICY);
  });
});

describe('every page the app renders lives within the page policy', () => {
  const item = (itemId: string, status: 'pending' | 'approved') => ({
    itemId,
    title: `Part ${itemId}`,
    reviewers: ['support-agent@example.com'],
    draft: { text: `Draft of ${itemId}`, provider: 'offline', model: 'offline-extractive-v1', citations: [] },
    draftHash: '0123456789abcdef0123456789abcdef',
    status,
  });
  it.each([
    ['a pending review', reviewPage(sampleApproval(), 'support-agent@example.com')],
    ['a decided review', reviewPage(sampleApproval({ status: 'approved', finalText: 'Sent as is.' }), 'support-agent@example.com')],
    ['a multi-part review', reviewPage(sampleApproval({ items: [item('a', 'pending'), item('b', 'approved')], qualityFailures: [{ stepId: 's', gate: 'g', detail: 'too short' }], classification: ['topic billing'] }), 'support-agent@example.com')],
    ['a message', messagePage('Thank you', 'Recorded.')],
  ])('%s', async (_case, rendered) => {
    // Prepare: the policy the app sends with a page
    const policy = (await app.request('/inbox/not-a-link')).headers.get('content-security-policy')!;
    // Act
    const page = String(await rendered);
    // Assess: one stylesheet, the one the policy allows; nothing a policy of no script or inline style would block
    expect(page.match(/<style\b/g)).toHaveLength(1);
    expect(policy).toContain(`style-src ${styleHashOf(page)};`);
    expect(page).not.toMatch(/\sstyle\s*=/i);
    expect(page).not.toMatch(/<(script|link|img|iframe|object|embed|base)\b/i);
    expect(page).not.toMatch(/\son[a-z]+\s*=/i);
    expect(page).not.toMatch(/\saction\s*=/i); // forms post back to the page itself (form-action 'self')
  });
});
