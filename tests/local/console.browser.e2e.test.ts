/**
 * The web console in a real browser (Chromium): a person is sent to sign in and back; the runs
 * explorer filters by workflow and status; a run's timeline shows its steps with input and output,
 * model attempts, the approval with the reviewer's edit as a diff, the delivery and the audit
 * events; a run in the human queue says what failed and how to resume it; it reads well on a
 * phone; a reviewer is refused; no CSP violation anywhere. Screenshots go to the test output
 * folder (tests/support/browser.ts), never to the repository.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInCodeIn } from '../../local/issuer-sign-in.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { chromiumPath, launchChromium, NO_BROWSER, testOutputDir, watch } from '../support/browser.js';
import { browserSignIn, cookieHeader } from '../support/sign-in.js';
import { client, decideAs, pendingApprovalOf, startSignedReceiver, startTestRuntime, waitForRun } from '../support/local-runtime.js';

const workflowsDir = fileURLToPath(new URL('../fixtures/queue-workflows', import.meta.url));
let rt: LocalRuntime;
let browser: Browser;
let receiver: Awaited<ReturnType<typeof startSignedReceiver>>;
let editedRunId: string;
let failedRunId: string;

beforeAll(async () => {
  rt = await startTestRuntime({ workflowsDir, env: { HANDRAIL_DELIVERY_BACKOFF_MS: '10' } });
  receiver = await startSignedReceiver(rt.deliverySecret, 200);
  process.env.OWNED_DELIVERY_URL = receiver.url;
  process.env.UNOWNED_URL = receiver.url;
  process.env.OWNED_MODEL_URL = receiver.url;
  const api = client(rt);
  // One run edited then delivered, one whose delivery fails (the human queue).
  editedRunId = (await api.post('/webhooks/owned-delivery', { subject: 'Refund <b>please</b>' })).body.runId;
  const approval = await pendingApprovalOf(rt, editedRunId);
  const edited = await decideAs(rt, approval, 'support-agent@example.com', { action: 'edit', text: 'Refunds take 14 days.', reasonCode: 'inaccurate', reason: 'wrong period' });
  expect(edited.status).toBe(200);
  await waitForRun(rt, editedRunId, ['delivered']);
  receiver.setStatus(503);
  failedRunId = (await api.post('/webhooks/unowned', { subject: 'Hello' })).body.runId;
  await waitForRun(rt, failedRunId, ['delivery_failed']);
  if (chromiumPath) browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await rt?.stop();
  await receiver?.close();
});

/** Opens `path`, signs in at the local issuer as `user`, and comes back to it. */
async function signedIn(context: BrowserContext, path: string, user: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${rt.url}${path}`);
  await page.waitForURL(/\/local-idp\/authorize\?/);
  await page.getByLabel('Sign in as').selectOption(user);
  await page.getByLabel('Sign-in code').fill(signInCodeIn(rt.dataDir));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname.startsWith('/console/') || url.pathname.startsWith('/auth/'));
  return page;
}

describe('the web console in Chromium', () => {
  it.skipIf(!chromiumPath)(`an admin signs in, filters the runs, and reads a run's timeline with the edit diff${NO_BROWSER}`, async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const out = testOutputDir();
    const page = await signedIn(context, '/console/runs', 'admin@example.com');
    const problems = watch(page);
    expect(new URL(page.url()).pathname).toBe('/console/runs');
    expect(await page.locator('h1').textContent()).toBe('Runs');
    const rows = page.locator('tbody tr');
    expect(await rows.count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('.bar .who').textContent()).toContain('admin@example.com');
    await page.screenshot({ path: join(out, 'console-runs.png'), fullPage: true });

    // Filter: the failed delivery only.
    await page.getByLabel('Status').selectOption('delivery_failed');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/status=delivery_failed/);
    expect(await page.locator('h1').textContent()).toBe('Human queue');
    const queued = await page.locator('tbody tr td:first-child').allTextContents();
    expect(queued).toContain(failedRunId);
    expect(queued).not.toContain(editedRunId);
    // Filter: a workflow with nothing failed.
    await page.getByLabel('Workflow').selectOption('owned-model');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/workflowId=owned-model/);
    expect(await page.locator('.notice').textContent()).toContain('No run matches these filters');

    // The edited run's timeline.
    await page.goto(`${rt.url}/console/runs?workflowId=owned-delivery`);
    await page.getByRole('link', { name: editedRunId }).click();
    await page.waitForURL(new RegExp(`/console/runs/${editedRunId}$`));
    expect(await page.locator('h1').textContent()).toContain(editedRunId);
    const timeline = page.locator('.timeline');
    const text = await timeline.textContent();
    for (const expected of ['Run started', 'generate draft', 'Approval review requested', 'Edited and approved by support-agent@example.com via api', 'reason inaccurate: wrong period', 'Delivery attempt 1', 'approval.decided']) {
      expect(text).toContain(expected);
    }
    expect(await page.locator('.diff .add').first().textContent()).toContain('+Refunds take 14 days.');
    expect(await page.locator('.diff .del').count()).toBeGreaterThan(0);
    // The model attempt table, and the step's input behind a disclosure; the request's markup is text.
    expect(await timeline.locator('table').first().textContent()).toContain('offline');
    await page.getByText('Input', { exact: true }).first().click();
    expect(await page.locator('pre.json').first().textContent()).toContain('Refund <b>please</b>');
    expect(await page.locator('b').count()).toBe(0);
    await page.screenshot({ path: join(out, 'console-run-timeline.png'), fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  });

  it.skipIf(!chromiumPath)(`the dashboard draws its charts on the server from the records, each with its figures${NO_BROWSER}`, async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await signedIn(context, '/console/dashboard?workflowId=owned-delivery&days=7', 'author@example.com');
    const problems = watch(page);
    expect(await page.locator('h1').textContent()).toBe('Dashboard: owned-delivery');
    // Charts drawn on the server (no script on the page), each named for screen readers; no run of
    // this workflow failed, so that section says so instead of drawing an empty chart.
    const charts = page.locator('svg.svg-chart[role="img"]');
    expect(await charts.count()).toBe(7);
    expect(await page.locator('svg[aria-label="Model fallbacks and errors per day"]').count()).toBe(1);
    expect(await page.locator('section', { hasText: 'Errors that sent runs' }).textContent()).toContain('No run failed in this window.');
    expect(await page.locator('script').count()).toBe(0);
    // Today's delivered run is a bar; the edit reason is a bar; the timing lines have points.
    const outcomes = page.locator('svg[aria-label="Runs by outcome, and the success rate"]');
    expect(await outcomes.locator('rect title').allTextContents()).toContain(`${new Date().toISOString().slice(5, 10)} · delivered: 1`);
    expect(await page.locator('svg[aria-label="Why drafts were edited or rejected"] rect title').allTextContents()).toEqual(['inaccurate · edited: 1']);
    expect(await page.locator('svg[aria-label="Time to decision and handling time (minutes)"] circle').count()).toBeGreaterThan(0);
    // The figures under the charts: the edited run delivered, its reason, its cost by model.
    const today = new Date().toISOString().slice(0, 10);
    const outcomesRow = page.locator('section', { hasText: 'Runs by outcome' }).locator('tr', { hasText: today });
    expect(await outcomesRow.locator('td').allTextContents()).toEqual([today, '1', '0', '0', '0', '0', '0', '0', '0', '0', '100%']);
    const reasons = page.locator('section', { hasText: 'Why drafts were edited' }).locator('tbody tr');
    expect(await reasons.first().locator('td').allTextContents()).toEqual(['inaccurate', '1', '0']);
    expect(await page.locator('#totals').textContent()).toContain('1 decisions');
    expect(await page.locator('section', { hasText: 'Cost by model' }).locator('tbody').textContent()).toContain('offline/offline-extractive-v1');
    await page.screenshot({ path: join(testOutputDir(), 'console-dashboard.png'), fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  });

  it.skipIf(!chromiumPath)(`a run in the human queue says what failed and how to resume it, on a phone${NO_BROWSER}`, async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await signedIn(context, `/console/runs/${failedRunId}`, 'auditor@example.com');
    const problems = watch(page);
    expect(new URL(page.url()).pathname).toBe(`/console/runs/${failedRunId}`);
    const alert = await page.locator('.alert').textContent();
    expect(alert).toContain('This run waits in the human queue');
    expect(alert).toContain('Error: DeliveryFailed');
    expect(alert).toContain(`npx handrail runs redrive ${failedRunId}`);
    // The Lambda error's message, not its JSON envelope
    expect(alert).toContain('deliver send: ');
    expect(alert).not.toContain('errorType');
    // Nothing wider than the phone's screen but the tables' own scroll boxes.
    // (A string: run in the page, where `document` is; this file is compiled without the DOM types.)
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(testOutputDir(), 'console-run-queue-phone.png'), fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  });

  it.skipIf(!chromiumPath)(`an auditor reads the audit trail and verifies it; the bar offers it to admins and auditors only${NO_BROWSER}`, async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await signedIn(context, '/console/audit', 'auditor@example.com');
    const problems = watch(page);
    expect(await page.locator('h1').textContent()).toBe('Audit trail');
    const types = await page.locator('tbody tr td:nth-child(2)').allTextContents();
    expect(types).toEqual(expect.arrayContaining(['approval.decided', 'delivery.failed']));
    // A run's events link to its timeline.
    expect(await page.locator(`a[href="/console/runs/${editedRunId}"]`).count()).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Verify the trail' }).click();
    await page.waitForURL(/verify=1/);
    expect(await page.locator('section[aria-label="Verification"]').textContent()).toContain('The trail is intact');
    await page.screenshot({ path: join(testOutputDir(), 'console-audit.png'), fullPage: true });
    expect(problems).toEqual([]);
    await context.close();

    // An author sees no Audit trail in the bar, and is refused the page.
    const authorContext = await browser.newContext();
    const authorPage = await signedIn(authorContext, '/console/runs', 'author@example.com');
    expect(await authorPage.locator('.bar a').allTextContents()).toEqual(['Dashboard', 'Runs', 'Human queue']);
    const refused = await authorPage.goto(`${rt.url}/console/audit`);
    expect(refused?.status()).toBe(403);
    await authorContext.close();
  });

  it.skipIf(!chromiumPath)(`a reviewer signed in is refused the console with a page that says why${NO_BROWSER}`, async () => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    const page = await context.newPage();
    const problems = watch(page);
    await page.goto(`${rt.url}/console/runs`);
    await page.waitForURL(/\/local-idp\/authorize\?/);
    await page.getByLabel('Sign in as').selectOption('support-agent@example.com');
    await page.getByLabel('Sign-in code').fill(signInCodeIn(rt.dataDir));
    const [answer] = await Promise.all([page.waitForResponse((r) => new URL(r.url()).pathname === '/console/runs'), page.getByRole('button', { name: 'Sign in' }).click()]);
    await page.waitForLoadState('load');
    expect(answer.status()).toBe(403);
    expect(await page.locator('h1').textContent()).toBe('Not allowed');
    expect(await page.locator('.notice').textContent()).toContain('This page is for the role admin or auditor or author');
    expect(await page.locator('table').count()).toBe(0);
    expect(problems.filter((p) => !p.includes('403'))).toEqual([]);
    await context.close();
  });
});

describe('the web console without a browser', () => {
  it('answers a bad dashboard or explorer query with a page that names the field, and an unknown workflow with 404', async () => {
    const cookie = cookieHeader((await browserSignIn(rt, 'author@example.com')).jar);
    const get = async (path: string) => {
      const res = await fetch(`${rt.url}${path}`, { headers: { cookie }, redirect: 'manual' });
      return { status: res.status, text: await res.text() };
    };
    const days = await get('/console/dashboard?days=9');
    expect(days.status).toBe(400);
    expect(days.text).toContain('days: 7, 14 or 30');
    expect((await get('/console/dashboard?workflowId=nope')).status).toBe(404);
    const from = await get('/console/runs?from=yesterday');
    expect(from.status).toBe(400);
    expect(from.text).toContain('from: a date, e.g. 2026-11-01');
    expect((await get('/console/runs?from=&status=')).status).toBe(200);
  });

  it('sends a request with no session to sign in and back; a bearer token is not a session', async () => {
    const res = await fetch(`${rt.url}/console/runs?status=needs_human`, { redirect: 'manual', headers: { authorization: `Bearer ${await rt.login('admin@example.com')}` } });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`/auth/login?${new URLSearchParams({ returnTo: '/console/runs?status=needs_human' })}`);
  });
});
