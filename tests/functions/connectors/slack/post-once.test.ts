import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { channelApi, type SlackCall } from '../../../../functions/connectors/slack/channel-api.js';
import { postOnce, type SlackPost } from '../../../../functions/connectors/slack/post-once.js';
import { BACKOFF_CAP_MS, RETRY_AFTER_CAP_MS } from '../../../../functions/gateway/retry.js';
import { slackClient } from '../../../../functions/notifications/slack-client.js';
import { startFakeSlack } from '../../notifications/support/fake-channel-servers.js';

let slack: Awaited<ReturnType<typeof startFakeSlack>>;
beforeAll(async () => {
  slack = await startFakeSlack();
  process.env.SLACK_API_URL = slack.apiUrl;
});
afterAll(() => slack.close());

let n = 0;
let calls: SlackCall[];
let intents: number;
let waits: number[];
let post: SlackPost;
beforeEach(() => {
  n += 1;
  calls = [];
  intents = 0;
  waits = [];
  post = { channel: `C0NOTES${n}`, text: 'Summary: ship on Friday.\n• Ana: write the release notes', runId: `run-${n}`, stepId: 'post_notes' };
});

const deps = (over: { intentSince?: number; maxAttempts?: number } = {}) => ({
  api: channelApi(slackClient('xoxb-test-token', { retries: 0, timeoutMs: 5000 }), calls),
  maxAttempts: over.maxAttempts ?? 4,
  ...(over.intentSince !== undefined ? { intentSince: over.intentSince } : {}),
  recordIntent: async () => {
    intents += 1;
    return Math.floor(Date.now() / 1000);
  },
  wait: async (ms: number) => void waits.push(ms),
});
const methodsFor = (channel: string) => slack.calls.filter((c) => c.args.channel === channel).map((c) => c.method);
const postedTo = (channel: string) => slack.messages.get(channel) ?? [];

describe('postOnce (Slack delivery)', () => {
  it('records the intent, then posts once with the run and step as metadata; every call is written down without the token', async () => {
    // Act
    const outcome = await postOnce(post, deps());
    // Assess
    expect(outcome).toEqual({ ok: true, channel: post.channel, ts: expect.stringMatching(/^\d+\.\d+$/), alreadyPosted: false });
    expect(intents).toBe(1);
    expect(postedTo(post.channel)).toEqual([{ ts: (outcome as { ts: string }).ts, text: post.text, metadata: { event_type: 'handrail_delivery', event_payload: { handrail_run: post.runId, handrail_step: 'post_notes' } } }]);
    expect(calls).toEqual([{ attempt: 1, method: 'chat.postMessage', channel: post.channel, result: 'ok', durationMs: expect.any(Number), at: expect.any(String) }]);
    expect(JSON.stringify(calls)).not.toContain('xoxb');
  });

  it('tries a server error again with backoff, but first looks for the message: a post whose answer was lost is not posted twice', async () => {
    // Prepare: the first post lands, its answer is lost
    slack.fail('chat.postMessage', { landThenFail: true });
    // Act
    const outcome = await postOnce(post, deps());
    // Assess
    expect(outcome).toMatchObject({ ok: true, alreadyPosted: true });
    expect(postedTo(post.channel)).toHaveLength(1);
    expect(methodsFor(post.channel)).toEqual(['chat.postMessage', 'conversations.history']);
    expect(calls.map((c) => [c.attempt, c.method, c.status ?? c.result])).toEqual([[1, 'chat.postMessage', 500], [2, 'conversations.history', 'ok']]);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeLessThanOrEqual(BACKOFF_CAP_MS);
  });

  it('after an earlier invocation recorded its intent, reads the channel first and posts only if the message is not there', async () => {
    // Act: nothing landed before
    const outcome = await postOnce(post, deps({ intentSince: Math.floor(Date.now() / 1000) }));
    // Assess
    expect(outcome).toMatchObject({ ok: true, alreadyPosted: false });
    expect(intents).toBe(0);
    expect(methodsFor(post.channel)).toEqual(['conversations.history', 'chat.postMessage']);
    // Act again, as a retried step would: the message is found, nothing is posted
    const again = await postOnce(post, deps({ intentSince: Math.floor(Date.now() / 1000) }));
    expect(again).toMatchObject({ ok: true, alreadyPosted: true, ts: (outcome as { ts: string }).ts });
    expect(postedTo(post.channel)).toHaveLength(1);
  });

  it('honours Retry-After on a 429 (capped), and a rate-limited post is not looked for: it did not land', async () => {
    slack.fail('chat.postMessage', { status: 429, retryAfter: 30 });
    const outcome = await postOnce(post, deps());
    expect(outcome).toMatchObject({ ok: true, alreadyPosted: false });
    expect(waits).toEqual([RETRY_AFTER_CAP_MS]);
    expect(methodsFor(post.channel)).toEqual(['chat.postMessage', 'chat.postMessage']);
  });

  it.each([
    ['channel_not_found', 1],
    ['not_in_channel', 1],
    ['invalid_auth', 1],
  ])('gives up at once on %s (final), naming it', async (error) => {
    slack.fail('chat.postMessage', { error });
    const outcome = await postOnce(post, deps());
    expect(outcome).toEqual({ ok: false, error: `posting to ${post.channel}: Slack answered ${error}` });
    expect(methodsFor(post.channel)).toEqual(['chat.postMessage']);
    expect(waits).toEqual([]);
  });

  it('fails after maxAttempts of transient errors, with the last error and the attempts', async () => {
    slack.fail('chat.postMessage', { error: 'internal_error' }, { status: 503 });
    const outcome = await postOnce(post, deps({ maxAttempts: 2 }));
    expect(outcome).toEqual({ ok: false, error: `posting to ${post.channel}: HTTP 503 (after 2 attempt(s))` });
    // internal_error is Slack's own trouble: the post may have landed, so the second attempt looks first.
    expect(methodsFor(post.channel)).toEqual(['chat.postMessage', 'conversations.history', 'chat.postMessage']);
    expect(postedTo(post.channel)).toHaveLength(0);
  });
});
