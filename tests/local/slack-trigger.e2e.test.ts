/**
 * Slack as a trigger, end to end on the local runtime: the Slack app's slash command
 * (/handrail-notes, a signed form to POST /slack/commands) and message shortcut (a signed
 * `message_action` on POST /slack/interactions) start meeting-notes with the text, the channel and
 * the Slack user (through the reviewer directory) as its input; Slack gets an ephemeral
 * acknowledgement with the run id at once; the notes the user approved are posted back to that
 * channel (a fake Slack Web API). Forged, stale and replayed requests are refused with 401 and start
 * nothing; a payload that is not Slack's is a 400 naming the field; what the user must fix is
 * answered to them alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackSignature } from '../../functions/notifications/slack-signature.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { startFakeSlack } from '../functions/notifications/support/fake-channel-servers.js';
import { signedInteraction } from '../functions/notifications/support/slack-requests.js';
import { client, decideAs, pendingApprovalOf, startTestRuntime, waitForRun } from '../support/local-runtime.js';

const SIGNING = 'slack-trigger-test-signing-secret';
const TOKEN = 'xoxb-slack-trigger-test-token';
/** support-lead@example.com's Slack user (state-machines/reviewers.yaml). */
const LEAD = 'U0SUPPLEAD';
let rt: LocalRuntime;
let slack: Awaited<ReturnType<typeof startFakeSlack>>;

beforeAll(async () => {
  slack = await startFakeSlack();
  rt = await startTestRuntime({ env: { SLACK_SIGNING_SECRET: SIGNING, SLACK_BOT_TOKEN: TOKEN, SLACK_API_URL: slack.apiUrl } });
}, 120_000);

afterAll(async () => {
  await rt?.stop();
  await slack?.close();
});

const TRANSCRIPT = 'Ana: The beta opens on Monday for ten customers. Bo will write the onboarding guide by Friday. Action: Ana to email the beta list.';

let n = 0;
/** A slash command's form as Slack posts it. */
function commandForm(fields: Record<string, string | undefined> = {}): string {
  n += 1;
  const all: Record<string, string | undefined> = {
    token: 'deprecated-verification-token',
    team_id: 'T0TEAM',
    team_domain: 'acme',
    channel_id: 'C0BETASYNC',
    channel_name: 'beta-sync',
    user_id: LEAD,
    user_name: 'lee',
    command: '/handrail-notes',
    text: TRANSCRIPT,
    api_app_id: 'A0HANDRAIL',
    response_url: `${slack.hooksUrl}commands/T0TEAM/${n}`,
    trigger_id: `trigger-${n}-${Date.now()}`,
    ...fields,
  };
  return new URLSearchParams(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined)).toString();
}

function signed(body: string, opts: { secret?: string; timestamp?: number } = {}): Record<string, string> {
  const ts = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  return { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': ts, 'x-slack-signature': slackSignature(opts.secret ?? SIGNING, ts, body) };
}

async function post(path: string, body: string, headers: Record<string, string>) {
  const res = await fetch(`${rt.url}${path}`, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** How many meeting-notes runs there are (a refused request adds none). */
async function runCount(): Promise<number> {
  const res = await client(rt).get('/runs?workflowId=meeting-notes&limit=100');
  expect(res.status).toBe(200);
  return res.body.runs.length;
}

const runIdIn = (text: string) => /run (run-[\w-]+)/.exec(text)?.[1];
const postsTo = (channel: string) => slack.postsTo(channel);

describe('Slack as a trigger', () => {
  it('a slash command starts meeting-notes: an ephemeral ack with the run id, the user approves, the notes go back to that channel once', async () => {
    // Act
    const body = commandForm();
    const started = Date.now();
    const res = await post('/slack/commands', body, signed(body));
    expect(Date.now() - started).toBeLessThan(3000);
    // Assess: answered at once, only to the user
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(/^Started Meeting notes: run run-[\w-]+\. Nothing is posted until it is approved\.$/) });
    const runId = runIdIn(res.body.text)!;
    const approval = await pendingApprovalOf(rt, runId);
    expect(approval.reviewers).toEqual(['support-lead@example.com']);
    expect(approval.input).toMatchObject({ transcript: TRANSCRIPT, channel: 'C0BETASYNC', owner: 'support-lead@example.com' });
    expect(approval.draft.text).toContain('- Write the onboarding guide by Friday. (owner: Bo, due: Friday)');
    // Act: the user who asked approves their notes as they are
    expect((await decideAs(rt, approval, 'support-lead@example.com', { action: 'approve' })).status).toBe(200);
    const run = await waitForRun(rt, runId, ['delivered']);
    // Assess: one message, the approved notes, in the channel the command was used in
    const posts = postsTo('C0BETASYNC');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.args).toMatchObject({ channel: 'C0BETASYNC', text: approval.draft.text });
    expect(run.delivery).toMatchObject({ status: 'delivered', slack: { channel: 'C0BETASYNC' } });
  });

  it('a message shortcut starts it from the message text: 200 at once, the ack posted to its response_url', async () => {
    const payload = {
      type: 'message_action',
      callback_id: 'handrail_notes',
      trigger_id: `shortcut-${Date.now()}`,
      response_url: `${slack.hooksUrl}actions/T0TEAM/shortcut-1`,
      team: { id: 'T0TEAM' },
      user: { id: LEAD },
      channel: { id: 'C0RETRO', name: 'retro' },
      message: { type: 'message', text: 'Cy: The release slipped a week. Cy will fix the flaky deploy test by Tuesday.', ts: '1700000000.000100' },
    };
    const req = signedInteraction(payload, SIGNING);
    const res = await post('/slack/interactions', req.body, req.headers);
    expect(res.status).toBe(200);
    const ack = slack.calls.find((c) => c.method === 'response_url' && c.args.path === '/hooks/actions/T0TEAM/shortcut-1');
    expect(ack?.args).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(/^Started Meeting notes: run run-/) });
    const approval = await pendingApprovalOf(rt, runIdIn(ack!.args.text)!);
    expect(approval.input).toMatchObject({ transcript: payload.message.text, channel: 'C0RETRO', owner: 'support-lead@example.com' });
    expect(approval.draft.text).toContain('- Fix the flaky deploy test by Tuesday. (owner: Cy, due: Tuesday)');
  });

  it.each([
    ['forged (another secret)', (body: string) => signed(body, { secret: 'not-the-apps-secret' }), 'Slack signature does not match'],
    ['stale (ten minutes old, correctly signed)', (body: string) => signed(body, { timestamp: Math.floor(Date.now() / 1000) - 600 }), 'Slack request is older than five minutes'],
    ['unsigned', () => ({ 'content-type': 'application/x-www-form-urlencoded' }), 'Slack request is not signed'],
  ])('refuses a %s command with 401 and starts nothing', async (_case, headersFor, message) => {
    const before = await runCount();
    const body = commandForm({ channel_id: 'C0REFUSED' });
    const res = await post('/slack/commands', body, headersFor(body) as Record<string, string>);
    expect(res.status).toBe(401);
    expect(res.body.error.message).toBe(message);
    expect(await runCount()).toBe(before);
  });

  it('refuses a replayed command (the same signed request again) with 401: one run, not two', async () => {
    const before = await runCount();
    const body = commandForm({ channel_id: 'C0REPLAY' });
    const headers = signed(body);
    const first = await post('/slack/commands', body, headers);
    expect(first.status).toBe(200);
    const again = await post('/slack/commands', body, headers);
    expect(again.status).toBe(401);
    expect(again.body.error.message).toBe('Slack request was already received (replay)');
    expect(await runCount()).toBe(before + 1);
  });

  it.each([
    ['no channel', { channel_id: undefined }, 'body.channel_id'],
    ['a user id that is not Slack\'s', { user_id: 'lee' }, 'body.user_id'],
    ['no command', { command: undefined }, 'body.command'],
  ])('answers a command with %s 400, naming the field', async (_case, change, field) => {
    const body = commandForm(change);
    const res = await post('/slack/commands', body, signed(body));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'ValidationError', field });
  });

  it('answers a shortcut payload without its message 400, naming the field', async () => {
    const req = signedInteraction({ type: 'message_action', callback_id: 'handrail_notes', user: { id: LEAD }, channel: { id: 'C0X1' } }, SIGNING);
    const res = await post('/slack/interactions', req.body, req.headers);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ field: 'payload.message' });
  });

  it.each([
    ['no text', { text: '  ' }, /^Nothing was started: \/handrail-notes needs some text/],
    ['a Slack user the reviewer directory does not know', { user_id: 'U0STRANGER' }, /^Nothing was started: Your Slack user \(U0STRANGER\) is not in Handrail's reviewer directory/],
    ['a command no workflow declares', { command: '/handrail-other' }, /^No workflow here starts from the command \/handrail-other \(the commands here: \/handrail-notes\)\.$/],
  ])('tells the user alone what to fix for %s, and starts nothing', async (_case, change, message) => {
    const before = await runCount();
    const body = commandForm(change);
    const res = await post('/slack/commands', body, signed(body));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(message) });
    expect(runIdIn(res.body.text)).toBeUndefined();
    expect(await runCount()).toBe(before);
  });
});
