/**
 * Approval channels end to end on the local runtime: a request goes to Slack (a fake Web API),
 * to the email outbox and to Teams (a fake webhook); Slack interactions, signed as Slack signs
 * them, approve, edit and reject; bad, stale and replayed requests change nothing.
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime.js';
import { startFakeSlack, startFakeTeams } from '../functions/notifications/support/fake-channel-servers.js';
import { click, selected, signedInteraction as signed, submit } from '../functions/notifications/support/slack-requests.js';
import { client, decideAs, startSignedReceiver, startTestRuntime, waitFor } from '../support/local-runtime.js';

const SIGNING = 'slack-test-signing-secret';
const AGENT = 'U0SUPPAGENT'; // support-agent@example.com in state-machines/reviewers.yaml
const LEAD = 'U0SUPPLEAD';
const HEAD = 'U0SUPPHEAD'; // in the directory, but not a reviewer of channels-demo
let rt: LocalRuntime;
let api: ReturnType<typeof client>;
let slack: Awaited<ReturnType<typeof startFakeSlack>>;
let teams: Awaited<ReturnType<typeof startFakeTeams>>;
let receiver: Awaited<ReturnType<typeof startSignedReceiver>>;

beforeAll(async () => {
  const workflowsDir = mkdtempSync(join(tmpdir(), 'handrail-channels-'));
  copyFileSync(fileURLToPath(new URL('../fixtures/workflows/channels-demo.yaml', import.meta.url)), join(workflowsDir, 'channels-demo.yaml'));
  [slack, teams] = await Promise.all([startFakeSlack(), startFakeTeams()]);
  rt = await startTestRuntime({
    workflowsDir,
    env: { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: SIGNING, SLACK_API_URL: slack.apiUrl, TEAMS_WEBHOOK_URL: teams.url },
  });
  api = client(rt);
  receiver = await startSignedReceiver(rt.deliverySecret);
  process.env.CHANNELS_DEMO_URL = receiver.url;
});

afterAll(async () => {
  await rt?.stop();
  await Promise.all([slack?.close(), teams?.close(), receiver?.close()]);
});

const posts = (approvalId: string) => slack.calls.filter((c) => c.method === 'chat.postMessage' && JSON.stringify(c.args.blocks).includes(approvalId));
const updates = (approvalId: string) => slack.calls.filter((c) => c.method === 'chat.update' && JSON.stringify(c.args.blocks).includes(approvalId.split('.')[0]!));

/** Starts a run and waits until its request reached Slack (both DMs) and was remembered. */
async function requestOnSlack(subject: string) {
  const { runId } = (await api.post('/webhooks/channels-demo', { subject, body: 'How do I get a refund for my annual plan?' })).body;
  return waitFor(async () => {
    const run = (await api.get(`/runs/${runId}`)).body;
    const pending = run?.approvals?.find((a: any) => a.status === 'pending');
    if (!pending) return undefined;
    const approval = (await api.get(`/approvals/${pending.approvalId}`)).body;
    return approval.slackMessages?.length === 2 && approval;
  }, `${runId} posted to Slack`);
}

const signedInteraction = (payload: object, opts: { secret?: string; timestamp?: number } = {}) => signed(payload, opts.secret ?? SIGNING, opts.timestamp);

async function send(req: { body: string; headers: Record<string, string> }) {
  const res = await fetch(`${rt.url}/slack/interactions`, { method: 'POST', headers: req.headers, body: req.body });
  const text = await res.text();
  return { status: res.status, text, json: text ? JSON.parse(text) : undefined };
}

async function runOf(runId: string, status?: string) {
  return waitFor(async () => {
    const run = (await api.get(`/runs/${runId}`)).body;
    return (!status || run?.status === status) && run;
  }, `run ${runId}${status ? ` to be ${status}` : ''}`);
}

describe('approval channels on the local runtime', () => {
  it('posts the request to Slack, emails it to the outbox and cards it to Teams', async () => {
    const approval = await requestOnSlack('Refund please');

    // Slack: a DM to each reviewer, with the buttons and that reviewer's own review link
    const dms = posts(approval.approvalId);
    expect(dms.map((c) => c.args.channel).sort()).toEqual([AGENT, LEAD]);
    expect(dms[0]!.authorization).toBe('Bearer xoxb-test');
    const actions = dms[0]!.args.blocks.find((b: any) => b.type === 'actions').elements;
    expect(actions.map((e: any) => e.action_id)).toEqual(['handrail_approve', 'handrail_edit', 'handrail_reject', 'handrail_open']);
    expect(approval.slackMessages.map((m: any) => m.channel).sort()).toEqual([`D${AGENT.slice(1)}`, `D${LEAD.slice(1)}`]);

    // Email: one message per reviewer in the outbox, whose link opens the review page
    const outbox = (await api.get(`/outbox?approvalId=${encodeURIComponent(approval.approvalId)}`)).body.messages;
    expect(outbox.map((m: any) => m.to).sort()).toEqual(['support-agent@example.com', 'support-lead@example.com']);
    expect(outbox[0].subject).toBe('[Handrail] Approval needed: channels-demo / review');
    const page = await api.get(new URL(outbox[0].links[0]).pathname);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Approve as drafted');
    const eml = await fetch(`${rt.url}/outbox/${outbox[0].id}`, { headers: { authorization: `Bearer ${await rt.login('admin@example.com')}` } });
    expect((await fetch(`${rt.url}/outbox/${outbox[0].id}`)).status).toBe(401); // the outbox holds review links: admins only
    expect(eml.headers.get('content-type')).toContain('message/rfc822');
    expect(await eml.text()).toMatch(/MIME-Version: 1\.0\r\n/);
    expect((await api.get('/outbox/..%2Fsigning-secret')).status).toBe(404);

    // Teams: one card with a review button per reviewer
    const card = teams.cards.find((c) => JSON.stringify(c).includes(approval.runId));
    expect(card.attachments[0].content.actions.map((a: any) => a.title)).toEqual(['Review as Sam Agent', 'Review as Lee Lead']);

    const audit = (await api.get(`/runs/${approval.runId}`)).body.audit;
    const sent = audit.filter((e: any) => e.type === 'notification.sent').map((e: any) => e.details.channel);
    expect(sent.sort()).toEqual(['email', 'slack', 'teams']);
  });

  it('refuses bad, stale and replayed requests (401) and non-reviewers (403); a valid Approve delivers', async () => {
    const approval = await requestOnSlack('Approve me');
    const approve = click(approval, AGENT, 'handrail_approve');

    expect((await send(signedInteraction(approve, { secret: 'not-the-secret' }))).status).toBe(401);
    expect((await send(signedInteraction(approve, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 }))).status).toBe(401);
    expect((await send({ ...signedInteraction(approve), headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(401);
    expect((await send(signedInteraction(click(approval, 'U0NOBODY1', 'handrail_approve')))).status).toBe(403);
    expect((await send(signedInteraction(click(approval, HEAD, 'handrail_approve')))).status).toBe(403);
    expect((await api.get(`/approvals/${approval.approvalId}`)).body.status).toBe('pending');
    const refused = (await runOf(approval.runId)).audit.filter((e: any) => e.type === 'approval.decision_refused').map((e: any) => e.details.reason);
    expect(refused.sort()).toEqual(['not_a_reviewer', 'unknown_slack_user']);

    const valid = signedInteraction(approve);
    expect((await send(valid)).status).toBe(200);
    const run = await runOf(approval.runId, 'delivered');
    expect(run.approvals[0]).toMatchObject({ status: 'approved', decision: { action: 'approve', channel: 'slack', reviewer: 'support-agent@example.com' } });
    expect(receiver.received.filter((r) => r.body.runId === approval.runId)).toHaveLength(1);

    // The same signed request again: refused, and nothing changes
    expect((await send(valid)).status).toBe(401);
    expect((await runOf(approval.runId)).approvals[0].decision.decidedAt).toBe(run.approvals[0].decision.decidedAt);

    // Both DMs now say who approved, and have no buttons
    const updated = await waitFor(async () => updates(approval.approvalId).length === 2 && updates(approval.approvalId), 'chat.update of both DMs');
    expect(updated.map((u) => u.args.channel).sort()).toEqual(approval.slackMessages.map((m: any) => m.channel).sort());
    expect(updated[0]!.args.text).toBe('✅ Approved by Sam Agent: channels-demo / review');
    expect(updated[0]!.args.blocks.some((b: any) => b.type === 'actions')).toBe(false);
  });

  it('Edit opens a modal prefilled with the draft; its submission delivers the edit', async () => {
    const approval = await requestOnSlack('Edit me');
    expect((await send(signedInteraction(click(approval, LEAD, 'handrail_edit')))).status).toBe(200);
    const opened = slack.calls.find((c) => c.method === 'views.open' && c.args.trigger_id === `trigger-handrail_edit-${approval.approvalId}`)!;
    expect(opened.args.view.callback_id).toBe('handrail_edit');
    const textBlock = opened.args.view.blocks.find((b: any) => b.block_id === 'text');
    expect(textBlock.element.initial_value).toBe(approval.draft.text);
    expect(opened.args.view.blocks.find((b: any) => b.block_id === 'reason_code').element.options.map((o: any) => o.value)).toEqual(['tone', 'inaccurate', 'policy']);

    const edited = 'Hi, we have refunded the unused months of your annual plan.';
    const noReason = await send(signedInteraction(submit(approval, LEAD, 'handrail_edit', { text: edited })));
    expect(noReason.json).toMatchObject({ response_action: 'errors', errors: { reason_code: expect.stringContaining('reason code') } });
    expect((await send(signedInteraction(submit(approval, LEAD, 'handrail_edit', { text: edited, reason_code: selected('tone'), reason: 'warmer' })))).status).toBe(200);

    const run = await runOf(approval.runId, 'delivered');
    expect(run.approvals[0]).toMatchObject({ status: 'edited', finalText: edited, decision: { action: 'edit', channel: 'slack', reviewer: 'support-lead@example.com', reasonCode: 'tone', reason: 'warmer' } });
    expect(receiver.received.find((r) => r.body.runId === approval.runId)!.body.text).toBe(edited);
    await waitFor(async () => updates(approval.approvalId).some((u) => u.args.text.startsWith('✏️ Edited and approved by Lee Lead')), 'the edit shown in Slack');
  });

  it('Reject opens a reason modal; its submission rejects and nothing is delivered', async () => {
    const approval = await requestOnSlack('Reject me');
    expect((await send(signedInteraction(click(approval, AGENT, 'handrail_reject')))).status).toBe(200);
    expect(slack.calls.some((c) => c.method === 'views.open' && c.args.view.callback_id === 'handrail_reject' && c.args.trigger_id.endsWith(approval.approvalId))).toBe(true);
    expect((await send(signedInteraction(submit(approval, AGENT, 'handrail_reject', { reason_code: selected('policy'), reason: 'wrong policy' })))).status).toBe(200);
    const run = await runOf(approval.runId, 'rejected');
    expect(run.approvals[0]).toMatchObject({ status: 'rejected', decision: { channel: 'slack', reasonCode: 'policy' } });
    expect(receiver.received.some((r) => r.body.runId === approval.runId)).toBe(false);
  });

  it('updates the Slack messages whatever channel decided; a failing channel never fails the approval', async () => {
    teams.setStatus(500);
    const approval = await requestOnSlack('Decided elsewhere');
    teams.setStatus(200);
    const failed = await waitFor(async () => (await runOf(approval.runId)).audit.find((e: any) => e.type === 'notification.failed'), 'the Teams failure audited');
    expect(failed.details).toMatchObject({ channel: 'teams', error: expect.stringContaining('HTTP 500') });
    expect(JSON.stringify(failed)).not.toContain(teams.url);

    expect((await decideAs(rt, approval, 'support-agent@example.com', { action: 'approve' })).status).toBe(200);
    await runOf(approval.runId, 'delivered');
    const updated = await waitFor(async () => updates(approval.approvalId).length === 2 && updates(approval.approvalId), 'chat.update after an API decision');
    expect(JSON.stringify(updated[0]!.args.blocks)).toContain('(via api)');
  });
});
