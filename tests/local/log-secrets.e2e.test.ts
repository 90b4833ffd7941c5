/**
 * No secret or token is ever written to a log. One support-reply run end to end on the local
 * runtime, logging at DEBUG with every handler's incoming event logged (what an operator turns on
 * to debug), plus refused calls with forged credentials; then every captured log line is searched
 * for each credential the run handled: the stage's and Slack's signing secrets, a reviewer's
 * personal token, an admin's ID token, the review and inbox link tokens, the Step Functions task
 * token, and the HMAC signatures of the delivery and of Slack requests. A leak names what leaked.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { INBOX_SCOPE } from '../../functions/approvals/inbox-link.js';
import { reviewerToken } from '../../functions/approvals/reviewer-tokens.js';
import { getApproval } from '../../functions/records/approvals.js';
import { logger } from '../../functions/shared/logger.js';
import { signReviewToken } from '../../functions/shared/review-link.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { captureLogs, type CapturedLogs } from '../support/log-capture.js';
import { client, pendingApprovalOf, startTestRuntime, TEST_ADMIN, tokenOf, waitForRun } from '../support/local-runtime.js';

// Before any module makes the shared logger (it reads these once), and for the runtime's handlers.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  process.env.POWERTOOLS_LOGGER_LOG_EVENT = 'true';
});

const REVIEWER = 'support-agent@example.com';
const SLACK_SIGNING_SECRET = 'slack-signing-secret-of-the-log-test';

/** A POST to the Slack interactions URL, signed as Slack signs (v0) with `secret`. */
function slackCall(url: string, secret: string, rawBody: string) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
  const sent = fetch(`${url}/slack/interactions`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature },
    body: rawBody,
  });
  return { signature, sent };
}

/** A customer's webhook receiver that keeps the signature header each delivery came with. */
async function startReceiver(): Promise<{ url: string; signatures: string[]; close(): Promise<void> }> {
  const signatures: string[] = [];
  const server: Server = createServer((req, res) => {
    signatures.push(String(req.headers['webhook-signature'] ?? ''));
    req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/support`, signatures, close: () => new Promise<void>((r) => server.close(() => r())) };
}

let rt: LocalRuntime;
let logs: CapturedLogs;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  receiver = await startReceiver();
  logs = captureLogs();
  rt = await startTestRuntime({ env: { SUPPORT_REPLY_URL: receiver.url, SLACK_SIGNING_SECRET } });
});

afterAll(async () => {
  logs?.restore();
  await rt?.stop();
  await receiver?.close();
});

describe('the logs of a whole run', () => {
  it('hold no secret, token or signature, at DEBUG with every event logged', async () => {
    // Prepare: the credentials of the people and systems involved
    expect(logger.getLevelName()).toBe('DEBUG');
    const admin = client(rt);
    const adminIdToken = await tokenOf(rt, TEST_ADMIN);
    const personalToken = reviewerToken(rt.signingSecret, REVIEWER);
    const asReviewer = { headers: { authorization: `Bearer ${personalToken}` } };

    // Act: webhook -> pending approval (its task token is read from the table, as the API never shows it)
    const started = await client(rt, { as: null }).post('/webhooks/support-reply', { ticketId: 'T-LOG', subject: 'Refund', body: 'How do I get a refund for my annual plan?', customerEmail: 'pat@example.com' });
    expect(started.status).toBe(202);
    const { runId } = started.body;
    const pending = await pendingApprovalOf(rt, runId);
    const taskToken = (await getApproval(pending.approvalId))?.taskToken ?? '';
    expect(taskToken.length).toBeGreaterThan(16);

    // Act: the reviewer's queue with their personal token; the admin reads the review link
    expect((await fetch(`${rt.url}/approvals?status=pending`, asReviewer)).status).toBe(200);
    const link = new URL((await admin.get(`/approvals/${pending.approvalId}`)).body.reviewLinks[REVIEWER]);
    const linkToken = link.pathname.split('/').pop()!;
    const inboxToken = signReviewToken(rt.signingSecret, { approvalId: INBOX_SCOPE, reviewer: REVIEWER, expiresAt: Math.floor(Date.now() / 1000) + 600 });

    // Act: refused calls: a forged ID token and personal token, a forged link, Slack signatures
    const forged = (token: string, filler: string) => `${token.slice(0, token.lastIndexOf('.'))}.${filler.repeat(43)}`;
    const forgedIdToken = forged(adminIdToken, 'A');
    expect((await fetch(`${rt.url}/runs`, { headers: { authorization: `Bearer ${forgedIdToken}` } })).status).toBe(401);
    expect((await fetch(`${rt.url}/approvals?status=pending`, { headers: { authorization: `Bearer ${forged(personalToken, 'B')}` } })).status).toBe(401);
    const forgedLink = forged(linkToken, 'C');
    expect((await fetch(`${rt.url}/review/${forgedLink}`)).status).toBe(403);
    expect((await client(rt).form(`/review/${forgedLink}`, { action: 'approve', draftHash: pending.draftHash })).status).toBe(403);
    const slackForged = slackCall(rt.url, 'not-the-slack-secret', 'payload=%7B%7D');
    expect((await slackForged.sent).status).toBe(401);
    const slackSigned = slackCall(rt.url, SLACK_SIGNING_SECRET, 'payload=not-json');
    expect((await slackSigned.sent).status).toBe(400);

    // Act: the reviewer opens the page and their inbox, approves through the form; delivered
    expect((await fetch(link)).status).toBe(200);
    expect((await fetch(`${rt.url}/inbox/${inboxToken}`)).status).toBe(200);
    expect((await client(rt).form(link.pathname, { action: 'approve', draftHash: pending.draftHash })).status).toBe(200);
    await waitForRun(rt, runId, ['delivered']);
    expect(receiver.signatures).toEqual([expect.stringMatching(/^v1,[A-Za-z0-9+/]{43}=$/)]);

    // Assess: the capture saw the run (every handler's event, the Slack refusal), and none of its credentials
    const text = logs.text();
    expect(logs.lines.filter((l) => l.message === 'Lambda invocation event').length).toBeGreaterThanOrEqual(4);
    expect(logs.lines.some((l) => l.message === 'Slack request refused')).toBe(true);
    expect(text).toContain(runId);
    // Every step's lines carry the run, workflow and step they are about (the keys to follow one run).
    const stepEvents = logs.lines.filter((l) => l.message === 'Lambda invocation event' && (l as { stepId?: string }).stepId);
    expect(stepEvents.length).toBeGreaterThanOrEqual(3);
    for (const line of stepEvents) expect(line).toMatchObject({ runId, workflowId: 'support-reply' });
    // Personal data in the run's input never reaches a log line as written.
    expect(text).not.toContain('pat@example.com');
    const secrets: Record<string, string> = {
      'signing secret': rt.signingSecret,
      'webhook secret': rt.webhookSecret('support-reply'),
      'Slack signing secret': SLACK_SIGNING_SECRET,
      'personal token': personalToken,
      'personal token MAC': personalToken.split('.')[1]!,
      'ID token': adminIdToken,
      'ID token signature': adminIdToken.split('.')[2]!,
      'forged ID token signature': forgedIdToken.split('.')[2]!,
      'review link token': linkToken,
      'review link signature': linkToken.split('.').pop()!,
      'forged review link signature': forgedLink.split('.').pop()!,
      'inbox link token': inboxToken,
      'task token': taskToken,
      'delivery signature': receiver.signatures[0]!.replace(/^v1,/, ''),
      'delivery key': rt.deliverySecret,
      'Slack signature': slackSigned.signature.replace(/^v0=/, ''),
      'forged Slack signature': slackForged.signature.replace(/^v0=/, ''),
    };
    const leaked = Object.entries(secrets).filter(([, value]) => text.includes(value)).map(([name]) => name);
    expect(leaked).toEqual([]);
  });
});
