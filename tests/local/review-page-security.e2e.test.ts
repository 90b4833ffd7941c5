/**
 * The review and inbox pages under their security headers, on the local runtime: what a live page,
 * its form's answer and a JSON answer with customer data carry; then in a real browser (Chromium),
 * that the pages work within their Content-Security-Policy (the stylesheet applies, nothing is
 * refused) and that no request from them carries the link's token in a Referer. Screenshots are
 * written to the test output folder (tests/support/browser.ts), never to the repository.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INBOX_SCOPE } from '../../functions/approvals/inbox-link.js';
import { signReviewToken } from '../../functions/shared/review-link.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { launchChromium, NO_BROWSER, chromiumPath, testOutputDir } from '../support/browser.js';
import { client, pendingApprovalOf, startTestRuntime, waitForRun } from '../support/local-runtime.js';

const REVIEWER = 'support-agent@example.com';

let rt: LocalRuntime;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  delete process.env.SUPPORT_REPLY_URL;
  rt = await startTestRuntime();
  api = client(rt);
});

afterAll(async () => {
  await rt?.stop();
});

/** A pending support-reply approval and the reviewer's review link to it (as the admin reads it). */
async function pendingReview(ticketId: string) {
  const { runId } = (await api.post('/webhooks/support-reply', { ticketId, subject: 'Refund for my annual plan', body: 'How do I get a refund?' })).body;
  const approval = await pendingApprovalOf(rt, runId);
  const link: string = (await api.get(`/approvals/${approval.approvalId}`)).body.reviewLinks[REVIEWER];
  return { runId, approval, link };
}

const inboxLink = () => `${rt.url}/inbox/${signReviewToken(rt.signingSecret, { approvalId: INBOX_SCOPE, reviewer: REVIEWER, expiresAt: Math.floor(Date.now() / 1000) + 600 })}`;

const styleSource = (page: string) => `'sha256-${createHash('sha256').update(/<style>([\s\S]*?)<\/style>/.exec(page)![1]!).digest('base64')}'`;

describe('live pages and answers', () => {
  it('the review page, the inbox and the form\'s answer carry the page policy, no-store and no-referrer', async () => {
    // Prepare
    const { approval, link } = await pendingReview('T-HDR');

    // Act
    const pages = [await fetch(link), await fetch(inboxLink()), await fetch(link, { method: 'POST', body: new URLSearchParams({ action: 'approve', draftHash: approval.draftHash }) })];

    // Assess
    for (const res of pages) {
      const page = await res.text();
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toBe(`default-src 'none'; style-src ${styleSource(page)}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`);
      expect(Object.fromEntries(['cache-control', 'referrer-policy', 'x-frame-options', 'x-content-type-options'].map((h) => [h, res.headers.get(h)]))).toEqual({
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
        'x-frame-options': 'DENY',
        'x-content-type-options': 'nosniff',
      });
    }
  });

  it('a JSON answer with customer data carries the data policy and no-store', async () => {
    const { approval } = await pendingReview('T-JSON');
    const res = await fetch(`${rt.url}/approvals/${approval.approvalId}`, { headers: { authorization: `Bearer ${await rt.login('admin@example.com')}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('in Chromium', () => {
  if (!chromiumPath) console.warn(`The review page's browser test is skipped${NO_BROWSER}`);
  let browser: Browser;
  beforeAll(async () => {
    if (chromiumPath) browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it.skipIf(!chromiumPath)(`a reviewer opens the inbox, then the review page, approves, and reopens it: no CSP violation, no Referer${NO_BROWSER}`, async () => {
    // Prepare: every console message and failed request, and the Referer of every request
    const { runId } = await pendingReview('T-BROWSER');
    const page = await browser.newPage({ viewport: { width: 1000, height: 1100 } });
    const console: string[] = [];
    const failed: string[] = [];
    const referers: string[] = [];
    page.on('console', (m) => console.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => console.push(`pageerror: ${e.message}`));
    page.on('requestfailed', (r) => failed.push(`${r.url()}: ${r.failure()?.errorText}`));
    page.on('request', (r) => referers.push(...(r.headers()['referer'] ? [`${r.method()} ${r.url()} <- ${r.headers()['referer']}`] : [])));
    const out = testOutputDir();

    // Act: the inbox, then its link to the review page
    await page.goto(inboxLink());
    await page.locator('li', { hasText: runId }).getByRole('link').click();
    await page.waitForURL(/\/review\//);
    await page.screenshot({ path: join(out, 'review-page.png'), fullPage: true });
    const reviewUrl = page.url();

    // Assess: this run's review page, and its hashed stylesheet applies (the card's border is drawn)
    expect(await page.locator('.meta').first().textContent()).toContain(runId);
    expect(await page.locator('.card').first().evaluate((el) => (el as any).ownerDocument.defaultView.getComputedStyle(el).borderTopWidth)).toBe('1px');
    expect(await page.locator('textarea').inputValue()).toContain('offline draft');

    // Act: approve through the form
    await Promise.all([page.waitForResponse((r) => r.url() === reviewUrl && r.request().method() === 'POST'), page.getByRole('button', { name: 'Approve as drafted' }).click()]);
    await page.waitForLoadState('load');
    await page.screenshot({ path: join(out, 'review-page-approved.png'), fullPage: true });

    // Assess: recorded, delivered; nothing refused or failed, no request carried a Referer
    expect(await page.locator('h1').textContent()).toBe('Thank you');
    await waitForRun(rt, runId, ['delivered']);

    // Act: the link opened again shows the decision, the draft kept as written (pre-wrap, from the stylesheet)
    await page.goto(reviewUrl);
    await page.screenshot({ path: join(out, 'review-page-decided.png'), fullPage: true });
    expect(await page.locator('.notice').textContent()).toContain('approved');
    expect(await page.locator('pre').evaluate((el) => (el as any).ownerDocument.defaultView.getComputedStyle(el).whiteSpace)).toBe('pre-wrap');
    expect(console).toEqual([]);
    expect(failed).toEqual([]);
    expect(referers).toEqual([]);
    await page.close();
  });
});
