/**
 * A disabled user is out at once: their unexpired ID token, their personal token, their review and
 * inbox links and a decision through any channel (Slack's included) are refused from the next
 * request on, each refusal leaving the approval pending; enabling them lets them back in. Only
 * admins disable, never themselves, and every act is audited with who and why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INBOX_SCOPE } from '../../functions/approvals/inbox-link.js';
import { auditTrail } from '../../functions/records/audit.js';
import { signReviewToken } from '../../functions/shared/review-link.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { client, pendingApprovalOf, startTestRuntime } from '../support/local-runtime.js';
import { click, signedInteraction } from '../functions/notifications/support/slack-requests.js';

const REVIEWER = 'support-agent@example.com';
const SLACK_USER = 'U0SUPPAGENT';
const SLACK_SECRET = 'disabled-users-test-slack-signing-secret';
let rt: LocalRuntime;
let approval: { approvalId: string; draftHash: string };
let idToken: string;
let personal: string;
let reviewLink: string;

beforeAll(async () => {
  delete process.env.SUPPORT_REPLY_URL;
  rt = await startTestRuntime({ env: { SLACK_SIGNING_SECRET: SLACK_SECRET } });
  const { runId } = (await client(rt).post('/webhooks/support-reply', { ticketId: 'T-disabled', subject: 'Refund for my annual plan', body: 'How do I get a refund?' })).body;
  approval = await pendingApprovalOf(rt, runId);
  idToken = await rt.login(REVIEWER);
  personal = (await client(rt, { as: REVIEWER }).post('/personal-tokens', { days: 1 })).body.token;
  reviewLink = (await client(rt, { as: REVIEWER }).get(`/approvals/${approval.approvalId}`)).body.reviewLinks[REVIEWER];
}, 120_000);

afterAll(async () => {
  await rt?.stop();
});

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
const inboxLink = () => `${rt.url}/inbox/${signReviewToken(rt.signingSecret, { approvalId: INBOX_SCOPE, reviewer: REVIEWER, expiresAt: Math.floor(Date.now() / 1000) + 600 })}`;
const approvalStatus = async () => (await client(rt).get(`/approvals/${approval.approvalId}`)).body.status;

describe('disabling a user', () => {
  it('works for every credential before', async () => {
    expect((await fetch(`${rt.url}/approvals`, bearer(idToken))).status).toBe(200);
    expect((await fetch(`${rt.url}/approvals`, bearer(personal))).status).toBe(200);
    expect((await fetch(reviewLink)).status).toBe(200);
    expect((await fetch(inboxLink())).status).toBe(200);
  });

  it('only an admin disables, never themselves, and says why', async () => {
    expect((await client(rt, { as: 'auditor@example.com' }).post('/users/disable', { userId: REVIEWER, reason: 'x' })).status).toBe(403);
    const self = await client(rt).post('/users/disable', { userId: 'Admin@Example.com', reason: 'oops' });
    expect(self.status).toBe(400);
    expect(self.body.error.field).toBe('body.userId');
    expect((await client(rt).post('/users/disable', { userId: REVIEWER })).body.error.message).toContain('reason');
    expect((await client(rt).post('/users/disable', { userId: 'not-an-email', reason: 'x' })).body.error.field).toBe('body.userId');
  });

  it("refuses the user's ID token, personal token, links and decisions at once, and the approval stays pending", async () => {
    const disabled = await client(rt).post('/users/disable', { userId: REVIEWER, reason: 'left the company' });
    expect(disabled.body).toEqual({ userId: REVIEWER, status: 'disabled', changed: true });
    expect((await client(rt).post('/users/disable', { userId: REVIEWER, reason: 'again' })).body.changed).toBe(false);

    for (const token of [idToken, personal]) {
      const res = await fetch(`${rt.url}/approvals`, bearer(token));
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { message: string } }).error.message).toBe(`The account ${REVIEWER} is disabled; its tokens no longer work (an admin can enable it)`);
    }
    const decision = await fetch(`${rt.url}/approvals/${approval.approvalId}/decision`, { method: 'POST', headers: { authorization: `Bearer ${idToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ action: 'approve', draftHash: approval.draftHash }) });
    expect(decision.status).toBe(401);
    const page = await fetch(reviewLink);
    expect(page.status).toBe(403);
    expect(await page.text()).toContain('is disabled');
    expect((await fetch(reviewLink, { method: 'POST', body: new URLSearchParams({ action: 'approve', draftHash: approval.draftHash }) })).status).toBe(403);
    expect((await fetch(inboxLink())).status).toBe(403);
    // A Slack click carries no token: Slack's signed request is refused for the person behind it.
    const { body, headers } = signedInteraction(click(approval, SLACK_USER, 'handrail_approve'), SLACK_SECRET);
    const slack = await fetch(`${rt.url}/slack/interactions`, { method: 'POST', headers, body });
    expect(slack.status).toBe(403);
    expect(((await slack.json()) as { error: { message: string } }).error.message).toBe(`The account ${REVIEWER} is disabled; it cannot decide`);
    expect(await approvalStatus()).toBe('pending');

    const listed = await client(rt, { as: 'auditor@example.com' }).get('/users/disabled');
    expect(listed.body.users).toEqual([expect.objectContaining({ userId: REVIEWER, disabledBy: 'admin@example.com', reason: 'left the company' })]);
  });

  it('lets them back in when enabled, and audits both acts and the refused decision', async () => {
    expect((await client(rt).post('/users/enable', { userId: REVIEWER })).body.status).toBe('enabled');
    expect((await client(rt).post('/users/enable', { userId: REVIEWER })).status).toBe(404);
    expect((await fetch(`${rt.url}/approvals`, bearer(idToken))).status).toBe(200);
    expect((await fetch(reviewLink)).status).toBe(200);
    expect((await client(rt).get('/users/disabled')).body.users).toEqual([]);

    const events = await auditTrail('users');
    expect(events.map((e) => [e.type, e.actor, e.details])).toEqual([
      ['user.disabled', 'admin@example.com', { userId: REVIEWER, reason: 'left the company' }],
      ['user.enabled', 'admin@example.com', { userId: REVIEWER }],
    ]);
    const runEvents = await auditTrail((await client(rt).get(`/approvals/${approval.approvalId}`)).body.runId);
    expect(runEvents).toContainEqual(expect.objectContaining({ type: 'approval.decision_refused', actor: REVIEWER, details: expect.objectContaining({ channel: 'slack', reason: 'account_disabled' }) }));
  });
});
