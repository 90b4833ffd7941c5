/**
 * Posts an approved text to a Zendesk ticket once: a public reply or an internal note, with the
 * status and tags the step names, as one ticket update whose audit carries the run and step
 * (`metadata.custom.handrail_run`, `handrail_step`). Never two replies for one ticket
 * (../post-once.ts): when one may have landed, the ticket's audits are read first and an audit
 * with the marker is the reply.
 */
import { postOnce, type OnceDeps } from '../post-once.js';
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

export interface ReplyDeps extends OnceDeps {
  readonly api: TicketApi;
}

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
  const update = ticketUpdateOf(reply);
  const outcome = await postOnce<{ auditId?: number; commentId?: number }>(
    {
      what: `updating ticket ${reply.ticketId}`,
      lookingFor: `reading the audits of ticket ${reply.ticketId}`,
      async find(attempt) {
        const listed = await deps.api.audits(reply.ticketId, attempt);
        if (!listed.ok) return listed;
        const found = postedBy(listed.value, reply);
        return { ok: true, value: found ? { auditId: found.id, ...commentOf(found) } : undefined };
      },
      write: (attempt) => deps.api.update(reply.ticketId, update, attempt),
    },
    deps,
  );
  return outcome.ok ? { ok: true, ...outcome.value, alreadyPosted: outcome.alreadyPosted } : outcome;
}

function commentOf(audit: TicketAudit): { commentId?: number } {
  const id = audit.events?.find((e) => e.type === 'Comment')?.id;
  return id === undefined ? {} : { commentId: id };
}
