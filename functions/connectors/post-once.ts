/**
 * One write to a vendor's API, never twice, whatever the connector (Zendesk, HubSpot):
 * - the caller records its intent before the first write (`recordIntent`), so a retried step
 *   (Lambda retry, redrive, reconciler) knows one may have landed (`mayHaveLanded`);
 * - when one may have landed (that intent, or a write whose answer was lost: a timeout, a network
 *   error, a 5xx), the vendor is asked first (`find`, by the run's marker) and what it finds is
 *   the result: nothing is written again;
 * - 429 and 5xx are tried again with the model gateway's backoff (full jitter, Retry-After
 *   honoured); any other 4xx is final.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffMs } from '../gateway/retry.js';
import type { CallResult } from './call-recorder.js';

export interface OnceWrite<T> {
  /** What the write is, for messages: e.g. `updating ticket 4711`. */
  readonly what: string;
  /** What looking for it is: e.g. `reading the audits of ticket 4711`. */
  readonly lookingFor: string;
  /** The earlier write's result, if the vendor has it. */
  find(attempt: number): Promise<CallResult<T | undefined>>;
  write(attempt: number): Promise<CallResult<T>>;
}

export interface OnceDeps {
  readonly maxAttempts: number;
  /** An earlier invocation recorded the intent: a write may have landed. */
  readonly mayHaveLanded: boolean;
  /** Records the intent to write (before the first write). */
  recordIntent(): Promise<void>;
  /** @default node's timers */
  readonly wait?: (ms: number) => Promise<unknown>;
}

export type OnceOutcome<T> =
  | { readonly ok: true; readonly value: T; /** Found at the vendor from an earlier attempt: nothing was written now. */ readonly alreadyPosted: boolean }
  | { readonly ok: false; readonly error: string };

const retryable = (status: number | undefined) => status === undefined || status === 429 || status >= 500;
/** A failure after which the write may have been applied: no answer, or a server error. */
const ambiguous = (status: number | undefined) => status === undefined || status >= 500;

export async function postOnce<T>(op: OnceWrite<T>, deps: OnceDeps): Promise<OnceOutcome<T>> {
  const wait = deps.wait ?? ((ms: number) => sleep(ms));
  let mayHaveLanded = deps.mayHaveLanded;
  let intentRecorded = deps.mayHaveLanded;
  let lastError = 'not attempted';
  let lastRetryAfterMs: number | undefined;
  for (let attempt = 1; attempt <= deps.maxAttempts; attempt++) {
    if (attempt > 1) await wait(backoffMs(attempt - 1, lastRetryAfterMs));
    lastRetryAfterMs = undefined;
    if (mayHaveLanded) {
      const found = await op.find(attempt);
      if (!found.ok) {
        lastError = `${op.lookingFor}: ${found.error}`;
        if (!retryable(found.status)) return { ok: false, error: lastError };
        lastRetryAfterMs = found.retryAfterMs;
        continue;
      }
      if (found.value !== undefined) return { ok: true, value: found.value, alreadyPosted: true };
      mayHaveLanded = false;
    }
    if (!intentRecorded) {
      await deps.recordIntent();
      intentRecorded = true;
    }
    const written = await op.write(attempt);
    if (written.ok) return { ok: true, value: written.value, alreadyPosted: false };
    lastError = `${op.what}: ${written.error}`;
    if (!retryable(written.status)) return { ok: false, error: lastError };
    mayHaveLanded = ambiguous(written.status);
    lastRetryAfterMs = written.retryAfterMs;
  }
  return { ok: false, error: `${lastError} (after ${deps.maxAttempts} attempt(s))` };
}
