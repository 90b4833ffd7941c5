/**
 * A sensitive step in a real browser (Chromium): the reviewer opens the review link, is sent to sign
 * in at the local issuer (sign-in code from the data folder), comes back to the page, approves, and
 * the run is delivered; another reviewer signed in is refused. No CSP violation on the way.
 * Screenshots go to the test output folder (tests/support/browser.ts), never to the repository.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInCodeIn } from '../../local/issuer-sign-in.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { chromiumPath, launchChromium, NO_BROWSER, testOutputDir, watch } from '../support/browser.js';
import { client, pendingApprovalOf, startTestRuntime, waitForRun } from '../support/local-runtime.js';
import { sensitiveWorkflowsDir } from '../support/sign-in.js';

const REVIEWER = 'support-agent@example.com';
let rt: LocalRuntime;
let browser: Browser;

beforeAll(async () => {
  delete process.env.SUPPORT_REPLY_URL;
  rt = await startTestRuntime({ workflowsDir: sensitiveWorkflowsDir() });
  if (chromiumPath) browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await rt?.stop();
});

async function pendingReview(ticketId: string) {
  const api = client(rt);
  const { runId } = (await api.post('/webhooks/support-reply', { ticketId, subject: 'Refund for my annual plan', body: 'How do I get a refund?' })).body;
  const approval = await pendingApprovalOf(rt, runId);
  return { runId, link: (await api.get(`/approvals/${approval.approvalId}`)).body.reviewLinks[REVIEWER] as string };
}

async function signInAt(page: Page, user: string) {
  await page.waitForURL(/\/local-idp\/authorize\?/);
  await page.getByLabel('Sign in as').selectOption(user);
  await page.getByLabel('Sign-in code').fill(signInCodeIn(rt.dataDir));
  return page;
}

describe('a sensitive step in Chromium', () => {
  it.skipIf(!chromiumPath)(`the reviewer is sent to sign in, comes back, approves, and the run proceeds${NO_BROWSER}`, async () => {
    const { runId, link } = await pendingReview('T-CHROME-1');
    const context = await browser.newContext({ viewport: { width: 1000, height: 1000 } });
    const page = await context.newPage();
    const problems = watch(page);
    const out = testOutputDir();

    await page.goto(link);
    await signInAt(page, REVIEWER);
    await page.screenshot({ path: join(out, 'sign-in-page.png'), fullPage: true });
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(link);
    await page.screenshot({ path: join(out, 'sensitive-review-page.png'), fullPage: true });
    expect(await page.locator('.notice').first().textContent()).toContain(`you are signed in as ${REVIEWER}`);
    const cookie = (await context.cookies()).find((c) => c.name === 'handrail-session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });

    await page.getByRole('button', { name: 'Approve as drafted' }).click();
    await page.waitForLoadState('load');
    await page.screenshot({ path: join(out, 'sensitive-review-approved.png'), fullPage: true });
    expect(await page.locator('h1').textContent()).toBe('Thank you');
    await waitForRun(rt, runId, ['delivered']);
    expect(problems).toEqual([]);
    await context.close();
  });

  it.skipIf(!chromiumPath)(`another reviewer's session is refused with a page that says whose link it is${NO_BROWSER}`, async () => {
    const { link } = await pendingReview('T-CHROME-2');
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    const page = await context.newPage();
    const problems = watch(page);

    await page.goto(link);
    await signInAt(page, 'support-lead@example.com');
    const [answer] = await Promise.all([page.waitForResponse((r) => r.url() === link), page.getByRole('button', { name: 'Sign in' }).click()]);
    await page.waitForLoadState('load');
    await page.screenshot({ path: join(testOutputDir(), 'sensitive-review-wrong-person.png'), fullPage: true });
    expect(answer.status()).toBe(403);
    expect(await page.locator('h1').textContent()).toBe('Not your review link');
    expect(await page.locator('.notice').textContent()).toContain(`This review link is for ${REVIEWER}`);
    expect(await page.locator('textarea').count()).toBe(0);

    // Signing out, from the page's own form, ends the session.
    await page.getByRole('button', { name: 'Sign out support-lead@example.com' }).click();
    await page.waitForLoadState('load');
    expect(await page.locator('h1').textContent()).toBe('Signed out');
    expect((await context.cookies()).find((c) => c.name === 'handrail-session')).toBeUndefined();
    expect(problems.filter((p) => !p.includes('403'))).toEqual([]);
    await context.close();
  });
});
