/**
 * meeting-notes end to end on the local runtime, with the offline provider: a transcript in → a
 * summary and the action items it states, drafted from the transcript itself (no retrieve step) →
 * the meeting's owner, named by the input, edits them (nobody else may decide) → exactly one Slack
 * message with the approved text in the channel the input names (a fake Slack Web API).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime.js';
import { startFakeSlack } from '../functions/notifications/support/fake-channel-servers.js';
import { MEETING_TRANSCRIPT } from '../fixtures/meeting-transcript.js';
import { client, decideAs, pendingApprovalOf, startTestRuntime, waitForRun } from '../support/local-runtime.js';

const TOKEN = 'xoxb-meeting-notes-test-token';
let rt: LocalRuntime;
let api: ReturnType<typeof client>;
let slack: Awaited<ReturnType<typeof startFakeSlack>>;

const TRANSCRIPT = MEETING_TRANSCRIPT;

beforeAll(async () => {
  slack = await startFakeSlack();
  rt = await startTestRuntime({ env: { SLACK_BOT_TOKEN: TOKEN, SLACK_API_URL: slack.apiUrl } });
  api = client(rt);
}, 120_000);

afterAll(async () => {
  await rt?.stop();
  await slack?.close();
});

const postsTo = (channel: string) => slack.postsTo(channel);

describe('meeting-notes on the local runtime', () => {
  it('drafts a summary and action items from the transcript; the owner edits them; one Slack message carries the approved text', async () => {
    // Arrange
    const input = { title: 'Q3 launch sync', transcript: TRANSCRIPT, owner: 'support-lead@example.com', channel: 'C0MEETING1' };
    // Act
    const started = await api.post('/webhooks/meeting-notes', input);
    expect(started.status).toBe(202);
    const { runId } = started.body;
    const approval = await pendingApprovalOf(rt, runId);
    // Assess: the owner the input names reviews a readable draft made from the transcript, labelled offline.
    expect(approval.reviewers).toEqual(['support-lead@example.com']);
    const draft: string = approval.draft.text;
    expect(draft).toMatch(/^\(Offline draft: extracted from the text without a language model; review before it is shared\.\) Dana: The Q3 launch moves to October/);
    expect(draft).toContain(
      [
        'Action items:',
        '- Send the revised launch plan to leadership by Friday. (owner: Dana, due: Friday)',
        '- Hold the campaign until the new launch date is confirmed. (owner: Marketing)',
        '- Book a review with the payments team by next week. (owner: Priya, due: next week)',
        '- Update the pricing page copy. (owner: Marco)',
      ].join('\n'),
    );
    expect(draft).not.toContain('{');
    const run = (await api.get(`/runs/${runId}`)).body;
    const drafted = run.steps.find((s: any) => s.stepId === 'draft_notes');
    expect(drafted).toMatchObject({ status: 'succeeded', provider: 'offline', output: { output: { actionItems: expect.arrayContaining([{ task: 'Send the revised launch plan to leadership by Friday.', owner: 'Dana', due: 'Friday' }]) } } });

    // Someone else may not decide the owner's notes.
    expect((await decideAs(rt, approval, 'support-agent@example.com', { action: 'approve' })).status).toBe(403);
    expect(postsTo('C0MEETING1')).toHaveLength(0);

    // Act: the owner edits.
    const text = `Q3 launch moves to October (billing migration late).\n\nAction items:\n- Dana: revised launch plan to leadership by Friday\n- Priya: payments review next week`;
    expect((await decideAs(rt, approval, 'support-lead@example.com', { action: 'edit', text, reasonCode: 'incomplete' })).status).toBe(200);
    const delivered = await waitForRun(rt, runId, ['delivered']);
    // Assess: exactly one message, the approved text, in the meeting's channel.
    const posts = postsTo('C0MEETING1');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.args).toMatchObject({ channel: 'C0MEETING1', text, metadata: { event_type: 'handrail_delivery', event_payload: { handrail_run: runId, handrail_step: 'post_notes' } } });
    expect(delivered.delivery).toMatchObject({ status: 'delivered', text, slack: { channel: 'C0MEETING1' } });
  });

  it('drafts the same notes from the same transcript', async () => {
    const input = { transcript: TRANSCRIPT, owner: 'support-lead@example.com', channel: 'C0MEETING2' };
    const [a, b] = await Promise.all([api.post('/webhooks/meeting-notes', input), api.post('/webhooks/meeting-notes', input)]);
    const [first, second] = await Promise.all([pendingApprovalOf(rt, a.body.runId), pendingApprovalOf(rt, b.body.runId)]);
    expect(first.draft.text).toBe(second.draft.text);
    expect(first.draftHash).toBe(second.draftHash);
  });

  it.each([
    ['someone the reviewer directory does not know', { owner: 'stranger@example.com' }, /^body\.owner: names the reviewer of this run, and must be a user of the reviewer directory with the reviewer role$/],
    ['a user without the reviewer role', { owner: 'auditor@example.com' }, /^body\.owner: .*reviewer role$/],
    ['no owner', { owner: undefined }, /^body\.owner/],
  ])('refuses a run whose owner is %s (400 naming the field), starting nothing', async (_case, change, message) => {
    const res = await api.post('/webhooks/meeting-notes', { transcript: TRANSCRIPT, channel: 'C0MEETING3', ...change });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(message);
  });
});
