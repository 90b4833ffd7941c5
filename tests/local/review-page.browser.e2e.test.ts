/**
 * The reviewer's pages as a reviewer uses them, in Chromium on the local runtime: on a phone, the
 * inbox says why each request is theirs and opens the review page, where the draft and the decision
 * come first in one column that never scrolls sideways, the request and sources follow, the cited
 * passages marked and linked from the draft's citation marks; on a desktop the sources sit beside
 * the draft. Keyboard only: Tab reaches "Edit the draft", Enter opens it, Tab goes through the
 * fields to the decision, Enter sends the edit. Screenshots go to the test output folder, never the repository.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INBOX_SCOPE } from '../../functions/approvals/inbox-link.js';
import { signReviewToken } from '../../functions/shared/review-link.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { chromiumPath, launchChromium, NO_BROWSER, testOutputDir } from '../support/browser.js';
import { client, pendingApprovalOf, startTestRuntime, waitForRun } from '../support/local-runtime.js';

const REVIEWER = 'support-agent@example.com';
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

let rt: LocalRuntime;
let browser: Browser;

beforeAll(async () => {
  delete process.env.SUPPORT_REPLY_URL;
  rt = await startTestRuntime();
  if (chromiumPath) browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await rt?.stop();
});

async function pendingReview(ticketId: string) {
  const { runId } = (await client(rt).post('/webhooks/support-reply', { ticketId, subject: 'Refund for my annual plan', body: 'How do I get a refund for my annual plan? I was charged twice.' })).body;
  const approval = await pendingApprovalOf(rt, runId);
  return { runId, approval };
}

const inboxLink = () => `${rt.url}/inbox/${signReviewToken(rt.signingSecret, { approvalId: INBOX_SCOPE, reviewer: REVIEWER, expiresAt: Math.floor(Date.now() / 1000) + 600 })}`;
const box = async (page: Page, selector: string) => (await page.locator(selector).first().boundingBox())!;

describe.skipIf(!chromiumPath)(`the review page and the inbox${NO_BROWSER}`, () => {
  it('on a phone: the inbox says why, the review page puts the draft and the decision first, one column, cited sources marked', async () => {
    const { runId, approval } = await pendingReview('T-PHONE');
    expect(approval.draft.citations.length).toBeGreaterThan(0);
    const page = await browser.newPage({ viewport: PHONE, isMobile: true, hasTouch: true });
    const out = testOutputDir();

    // The inbox: this request, its time left and why it is with this reviewer
    await page.goto(inboxLink());
    const item = page.locator('.inbox > li', { hasText: runId });
    expect(await item.locator('.badge.left').textContent()).toMatch(/h left|min left/);
    expect(await item.locator('.why-list').textContent()).toContain('Route path');
    await page.screenshot({ path: join(out, 'inbox-phone.png'), fullPage: true });
    await item.getByRole('link').click();
    await page.waitForURL(/\/review\//);
    await page.screenshot({ path: join(out, 'review-page-phone.png'), fullPage: true });

    // Decision first, then the context, in one column that fits the screen
    const [decision, context, why] = [await box(page, '.decision'), await box(page, '.context'), await box(page, '.why')];
    expect(why.y).toBeLessThan(decision.y);
    expect(decision.y).toBeLessThan(context.y);
    expect(Math.abs(decision.x - context.x)).toBeLessThan(2);
    expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    // The buttons are thumb-sized and fill the width
    const approve = await box(page, 'button.approve');
    expect(approve.height).toBeGreaterThanOrEqual(40);
    expect(approve.width).toBeGreaterThan(PHONE.width * 0.7);

    // Every citation mark of the draft links to a source that is marked cited; the rest are folded away
    const marks = await page.locator('.draft-text .cite a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    expect(new Set(marks)).toEqual(new Set(approval.draft.citations.map((n: number) => `#source-${n}`)));
    expect(await page.locator('.source.cited').count()).toBe(approval.draft.citations.length);
    for (const n of approval.draft.citations) expect(await page.locator(`#source-${n}`).getAttribute('class')).toContain('cited');
    const uncited = approval.sources.length - approval.draft.citations.length;
    if (uncited > 0) expect(await page.locator('.context details summary').textContent()).toContain(`${uncited} more passage`);
    await page.locator('.draft-text .cite a').first().click();
    expect(new URL(page.url()).hash).toBe(marks[0]);
    await page.close();
  });

  it('on a desktop, by keyboard only: the sources beside the draft; open the draft, edit it, give a reason, send', async () => {
    const { runId, approval } = await pendingReview('T-KEYS');
    const page = await browser.newPage({ viewport: DESKTOP });
    const link: string = (await client(rt).get(`/approvals/${approval.approvalId}`)).body.reviewLinks[REVIEWER];
    await page.goto(link);

    // Beside: the context column starts at the draft's height, to its right
    const [decision, context] = [await box(page, '.decision'), await box(page, '.context')];
    expect(context.x).toBeGreaterThan(decision.x + decision.width - 1);
    expect(Math.abs(context.y - decision.y)).toBeLessThan(2);
    expect(await page.locator('nav.bar a', { hasText: 'Inbox' }).getAttribute('href')).toMatch(/^\/inbox\//);

    // Access keys name the decisions (a browser's own shortcut, which CDP's key events do not reach)
    expect(await page.locator('[accesskey]').evaluateAll((els) => els.map((e) => `${e.getAttribute('accesskey')} ${e.textContent}`))).toEqual(['d Edit the draft', 'a Approve as drafted', 'e Send my edit', 'r Reject']);
    // Tab from the top reaches "Edit the draft"; Enter opens it; Tab goes into the text
    for (let i = 0; i < 10 && (await page.evaluate(() => (globalThis as any).document.activeElement?.tagName)) !== 'SUMMARY'; i++) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    expect(await page.locator('details.edit-draft').evaluate((d) => (d as any).open)).toBe(true);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.tagName)).toBe('TEXTAREA');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('Hello, your refund is on its way [1].');
    // Tab to the reason, pick one with the arrow key, Tab past the note to "Send my edit", Enter
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.name)).toBe('reasonCode');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Tab');
    await page.keyboard.type('shorter');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.textContent)).toBe('Send my edit');
    const focusRing = await page.evaluate(() => (globalThis as any).getComputedStyle((globalThis as any).document.activeElement).outlineStyle);
    expect(focusRing).toBe('solid');
    await page.screenshot({ path: join(testOutputDir(), 'review-page-desktop-keyboard.png'), fullPage: true });
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.keyboard.press('Enter')]);
    await page.waitForLoadState('load');
    expect(await page.locator('h1').textContent()).toBe('Thank you');

    const run = await waitForRun(rt, runId, ['delivered']);
    expect(run.delivery.text).toBe('Hello, your refund is on its way [1].');
    const decided = (await client(rt).get(`/approvals/${approval.approvalId}`)).body;
    expect(decided.decision).toMatchObject({ action: 'edit', reviewer: REVIEWER, reasonCode: approval.reasons[0], reason: 'shorter' });
    await page.close();
  });
});
