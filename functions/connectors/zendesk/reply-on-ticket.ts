/**
 * Posts an approved text to a Zendesk ticket once: a public reply or an internal note, with the
 * status and tags the step names, as one ticket update whose audit carries the run and step
 * (`metadata.custom.handrail_run`, `handrail_step`). Never two replies for one ticket:
 * - the caller records the intent before the first update (`recordIntent`), so a retried step
 *   (Lambda retry, redrive, reconciler) knows one may have landed (`mayHaveLanded`);
 * - when one may have landed (that intent, or an update whose reply was lost: a timeout, a network
 *   error, a 5xx), the ticket's audits are read first and an audit with the marker is the reply:
 *   nothing is posted again.
 * 429 and 5xx are tried again with the model gateway's backoff (full jitter, Retry-After
 * honoured); any other 4xx is final.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffMs } from '../../gateway/retry.js';
import type { ZendeskAct } from '../../../state-machines/schema.js';
import type { TicketApi, TicketAudit, TicketUpdate } from './ticket-api.js';

export const MARKER_KEYS = { run: 'handrail_run', step: 'handrail_step' } as const;

export interface TicketReply {
  readonly ticketId: number;
  readonly text: string;
  readonly act: ZendeskAct;
  readonly runId: string;
  readonly stepId: string;
}

export type ReplyOutcome =
  | { readonly ok: true; readonly auditId?: number; readonly commentId?: number; /** Found on the ticket from an earlier attempt: nothing was posted now. */ readonly alreadyPosted: boolean }
  | { readonly ok: false; readonly error: string };

export interface ReplyDeps {
  readonly api: TicketApi;
  readonly maxAttempts: number;
  /** An earlier invocation recorded the intent: an update may have landed. */
  readonly mayHaveLanded: boolean;
  /** Records the intent to post (before the first update). */
  recordIntent(): Promise<void>;
  /** @default node's timers */
  readonly wait?: (ms: number) => Promise<unknown>;
}

const retryable = (status: number | undefined) => status === undefined || status === 429 || status >= 500;
/** A failure after which the update may have been applied: no answer, or a server error. */
const ambiguous = (status: number | undefined) => status === undefined || status >= 500;

/** The update Zendesk is sent for `reply`. */
export function ticketUpdateOf(reply: TicketReply): TicketUpdate {
  return {
    comment: { body: reply.text, public: reply.act.comment === 'public' },
    ...(reply.act.status ? { status: reply.act.status } : {}),
    // additional_tags adds to the ticket's tags (tags would replace them all).
    ...(reply.act.tags.length ? { additional_tags: reply.act.tags } : {}),
    metadata: { [MARKER_KEYS.run]: reply.runId, [MARKER_KEYS.step]: reply.stepId },
  };
}

function postedBy(audits: readonly TicketAudit[], reply: TicketReply): TicketAudit | undefined {
  return audits.find((a) => a.metadata?.custom?.[MARKER_KEYS.run] === reply.runId && a.metadata?.custom?.[MARKER_KEYS.step] === reply.stepId);
}

export async function replyOnTicket(reply: TicketReply, deps: ReplyDeps): Promise<ReplyOutcome> {
  const wait = deps.wait ?? ((ms: number) => sleep(ms));
  const update = ticketUpdateOf(reply);
  let mayHaveLanded = deps.mayHaveLanded;
  let intentRecorded = deps.mayHaveLanded;
  let lastError = 'not attempted';
  let lastRetryAfterMs: number | undefined;
  for (let attempt = 1; attempt <= deps.maxAttempts; attempt++) {
    if (attempt > 1) await wait(backoffMs(attempt - 1, lastRetryAfterMs));
    lastRetryAfterMs = undefined;
    if (mayHaveLanded) {
      const listed = await deps.api.audits(reply.ticketId, attempt);
      if (!listed.ok) {
        lastError = `reading the audits of ticket ${reply.ticketId}: ${listed.error}`;
        if (!retryable(listed.status)) return { ok: false, error: lastError };
        lastRetryAfterMs = listed.retryAfterMs;
        continue;
      }
      const found = postedBy(listed.value, reply);
      if (found) return { ok: true, auditId: found.id, ...commentOf(found), alreadyPosted: true };
      mayHaveLanded = false;
    }
    if (!intentRecorded) {
      await deps.recordIntent();
      intentRecorded = true;
    }
    const posted = await deps.api.update(reply.ticketId, update, attempt);
    if (posted.ok) return { ok: true, ...posted.value, alreadyPosted: false };
    lastError = `updating ticket ${reply.ticketId}: ${posted.error}`;
    if (!retryable(posted.status)) return { ok: false, error: lastError };
    mayHaveLanded = ambiguous(posted.status);
    lastRetryAfterMs = posted.retryAfterMs;
  }
  return { ok: false, error: `${lastError} (after ${deps.maxAttempts} attempt(s))` };
}

function commentOf(audit: TicketAudit): { commentId?: number } {
  const id = audit.events?.find((e) => e.type === 'Comment')?.id;
  return id === undefined ? {} : { commentId: id };
}
