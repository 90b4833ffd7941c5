/**
 * Posts an approved text to a Slack channel once. The message carries the run and step as Slack
 * event metadata (`handrail_delivery`: `handrail_run`, `handrail_step`). Never two messages for a run:
 * - the caller records the intent before the first post (`recordIntent`), so a retried step (Lambda
 *   retry, redrive, reconciler) knows one may have landed (`mayHaveLanded`);
 * - when one may have landed (that intent, or a post whose answer was lost: a timeout, a network
 *   error, a server error), the channel's messages since the intent are read first, and one with
 *   the marker is the delivery: nothing is posted again.
 * Transient failures are tried again with the model gateway's backoff (full jitter, Retry-After
 * honoured); any other Slack error (channel_not_found, not_in_channel, invalid_auth…) is final.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffMs } from '../../gateway/retry.js';
import type { ChannelApi, DeliveryMarker } from './channel-api.js';

export interface SlackPost {
  readonly channel: string;
  readonly text: string;
  readonly runId: string;
  readonly stepId: string;
}

export type PostOutcome =
  | { readonly ok: true; readonly channel: string; readonly ts: string; /** Found in the channel from an earlier attempt: nothing was posted now. */ readonly alreadyPosted: boolean }
  | { readonly ok: false; readonly error: string };

export interface PostDeps {
  readonly api: ChannelApi;
  readonly maxAttempts: number;
  /** When an earlier invocation recorded its intent (epoch seconds): a message may have landed since. */
  readonly intentSince?: number;
  /** Records the intent to post (before the first post); returns when it was recorded (epoch seconds). */
  recordIntent(): Promise<number>;
  /** @default node's timers */
  readonly wait?: (ms: number) => Promise<unknown>;
}

export function markerOf(post: SlackPost): DeliveryMarker {
  return { event_type: 'handrail_delivery', event_payload: { handrail_run: post.runId, handrail_step: post.stepId } };
}

/** Look back a little before the intent: clocks of Lambda and Slack differ. */
const CLOCK_SLACK_S = 60;

export async function postOnce(post: SlackPost, deps: PostDeps): Promise<PostOutcome> {
  const wait = deps.wait ?? ((ms: number) => sleep(ms));
  const marker = markerOf(post);
  let since = deps.intentSince;
  let mayHaveLanded = since !== undefined;
  let lastError = 'not attempted';
  let lastRetryAfterMs: number | undefined;
  for (let attempt = 1; attempt <= deps.maxAttempts; attempt++) {
    if (attempt > 1) await wait(backoffMs(attempt - 1, lastRetryAfterMs));
    lastRetryAfterMs = undefined;
    if (mayHaveLanded && since !== undefined) {
      const listed = await deps.api.history(post.channel, since - CLOCK_SLACK_S, attempt);
      if (!listed.ok) {
        lastError = `reading the messages of ${post.channel}: ${listed.error}`;
        if (!listed.retryable) return { ok: false, error: lastError };
        lastRetryAfterMs = listed.retryAfterMs;
        continue;
      }
      const found = listed.value.find((m) => m.metadata?.event_type === marker.event_type && m.metadata.event_payload?.handrail_run === post.runId && m.metadata.event_payload?.handrail_step === post.stepId);
      if (found) return { ok: true, channel: post.channel, ts: found.ts, alreadyPosted: true };
      mayHaveLanded = false;
    }
    since ??= await deps.recordIntent();
    const posted = await deps.api.post(post.channel, post.text, marker, attempt);
    if (posted.ok) return { ok: true, ...posted.value, alreadyPosted: false };
    lastError = `posting to ${post.channel}: ${posted.error}`;
    if (!posted.retryable) return { ok: false, error: lastError };
    mayHaveLanded = posted.ambiguous;
    lastRetryAfterMs = posted.retryAfterMs;
  }
  return { ok: false, error: `${lastError} (after ${deps.maxAttempts} attempt(s))` };
}
