/**
 * A deliver step with `slack` on the local runtime: the approved text is posted to the channel the
 * input names with chat.postMessage (a fake Slack Web API), once, with every call on the step
 * record and no token anywhere; a channel Slack refuses sends the run to the human queue.
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime.js';
import { startFakeSlack } from '../functions/notifications/support/fake-channel-servers.js';
import { client, decideAs, pendingApprovalOf, startTestRuntime, waitForRun } from '../support/local-runtime.js';

const TOKEN = 'xoxb-slack-delivery-test-token';
let rt: LocalRuntime;
let api: ReturnType<typeof client>;
let slack: Awaited<ReturnType<typeof startFakeSlack>>;

beforeAll(async () => {
  const workflowsDir = mkdtempSync(join(tmpdir(), 'handrail-slack-delivery-'));
  copyFileSync(fileURLToPath(new URL('../fixtures/workflows/slack-notes.yaml', import.meta.url)), join(workflowsDir, 'slack-notes.yaml'));
  slack = await startFakeSlack();
  rt = await startTestRuntime({ workflowsDir, env: { SLACK_BOT_TOKEN: TOKEN, SLACK_API_URL: slack.apiUrl } });
  api = client(rt);
});

afterAll(async () => {
  await rt?.stop();
  await slack?.close();
});

const postsTo = (channel: string) => slack.postsTo(channel);

describe('deliver to Slack on the local runtime', () => {
  it('posts the approved edit to the channel once, with the run as metadata, and records every call without the token', async () => {
    // Act
    const { runId } = (await api.post('/webhooks/slack-notes', { subject: 'Weekly sync', channel: 'C0NOTES1' })).body;
    const approval = await pendingApprovalOf(rt, runId);
    const text = 'Weekly sync: ship on Friday. Ana writes the release notes.';
    expect((await decideAs(rt, approval, 'support-agent@example.com', { action: 'edit', text, reasonCode: 'incomplete' })).status).toBe(200);
    const run = await waitForRun(rt, runId, ['delivered']);
    // Assess
    const posts = postsTo('C0NOTES1');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.authorization).toBe(`Bearer ${TOKEN}`);
    expect(posts[0]!.args).toMatchObject({ channel: 'C0NOTES1', text, metadata: { event_type: 'handrail_delivery', event_payload: { handrail_run: runId, handrail_step: 'post_notes' } } });
    expect(run.delivery).toMatchObject({ status: 'delivered', url: 'slack:C0NOTES1', text, slack: { channel: 'C0NOTES1', ts: expect.any(String), calls: [{ method: 'chat.postMessage', result: 'ok', attempt: 1 }] } });
    const step = run.steps.find((s: any) => s.stepId === 'post_notes');
    expect(step).toMatchObject({ status: 'succeeded', input: { to: 'slack', channel: 'C0NOTES1' }, output: { channel: 'C0NOTES1', alreadyPosted: false } });
    expect(JSON.stringify(run)).not.toContain(TOKEN);
  });

  it.each([
    ['a channel Slack does not know', 'C0GONE', 'channel_not_found', /^posting to C0GONE: Slack answered channel_not_found$/],
    ['an input that is not a channel id', '#general', undefined, /input\.channel must be a Slack channel id/],
  ])('sends the run to the human queue for %s (delivery_failed), naming why', async (_case, channel, error, message) => {
    if (error) slack.fail('chat.postMessage', { error });
    const { runId } = (await api.post('/webhooks/slack-notes', { subject: 'Retro', channel })).body;
    const approval = await pendingApprovalOf(rt, runId);
    expect((await decideAs(rt, approval, 'support-agent@example.com', { action: 'approve' })).status).toBe(200);
    const run = await waitForRun(rt, runId, ['delivery_failed']);
    expect(run.delivery).toMatchObject({ status: 'failed' });
    expect(run.steps.find((s: any) => s.stepId === 'post_notes')).toMatchObject({ status: 'failed', error: expect.stringMatching(message) });
    expect(postsTo(channel).length).toBe(error ? 1 : 0);
  });
});
