/**
 * A deliver step with `zendesk`, in a stage that declares Zendesk: the approved text goes to the
 * run's ticket (connectors/zendesk/reply-on-ticket.ts), never twice. The run record carries the
 * intent (`delivery.status: sending`) before the first update and the outcome after, with every
 * API call of every invocation; the step record carries the same calls. A final failure is
 * DeliveryFailed: the run goes to the human queue as `delivery_failed`.
 */
import { zendeskCredentials, type ZendeskCredentials } from '../../connectors/zendesk/credentials.js';
import { replyOnTicket } from '../../connectors/zendesk/reply-on-ticket.js';
import { ticketApi, type ZendeskCall } from '../../connectors/zendesk/ticket-api.js';
import { recordAudit } from '../../records/audit.js';
import { putStepRecord, updateRun, type DeliveryRecord, type RunRecord } from '../../records/runs.js';
import { expiryOf } from '../../shared/ttl.js';
import { DeliveryFailed } from '../../shared/errors.js';
import type { ExecutionState } from '../../shared/step-contract.js';
import type { StepOf, ZendeskAct } from '../../../state-machines/schema.js';

const TICKET_ID = /^[1-9]\d{0,15}$/;

export async function deliverToZendesk(step: StepOf<'deliver'> & { zendesk: ZendeskAct }, state: ExecutionState, record: RunRecord, text: string) {
  const { runId } = state.run;
  const startedAt = new Date();
  const rawTicket = state.input[step.zendesk.ticket];
  const ticketId = TICKET_ID.test(String(rawTicket ?? '')) ? Number(rawTicket) : undefined;
  const earlier = record.delivery?.zendesk;
  const calls: ZendeskCall[] = [...(earlier?.calls ?? [])];
  const base = { url: '', text, attempts: [] as DeliveryRecord['attempts'] };

  const finish = async (outcome: { ok: true; auditId?: number; commentId?: number; alreadyPosted: boolean } | { ok: false; error: string }, credentials?: ZendeskCredentials) => {
    const url = credentials && ticketId ? `${credentials.url}/agent/tickets/${ticketId}` : base.url;
    const zendesk = { ticketId: ticketId ?? 0, comment: step.zendesk.comment, calls, ...(outcome.ok && outcome.auditId !== undefined ? { auditId: outcome.auditId } : {}), ...(outcome.ok && outcome.commentId !== undefined ? { commentId: outcome.commentId } : {}) };
    const attempts = calls.map((c) => ({ attempt: c.attempt, ...(c.status !== undefined ? { status: c.status } : {}), ...(c.error ? { error: c.error } : {}), at: c.at }));
    const finishedAt = new Date();
    await putStepRecord({
      runId,
      stepId: step.id,
      kind: 'deliver',
      status: outcome.ok ? 'succeeded' : 'failed',
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      latencyMs: finishedAt.getTime() - startedAt.getTime(),
      input: { to: 'zendesk', ticketId: ticketId ?? String(rawTicket ?? ''), comment: step.zendesk.comment, ...(step.zendesk.status ? { status: step.zendesk.status } : {}), tags: step.zendesk.tags },
      output: outcome.ok ? { auditId: outcome.auditId, commentId: outcome.commentId, alreadyPosted: outcome.alreadyPosted } : undefined,
      attempts: calls,
      ...(outcome.ok ? {} : { error: outcome.error }),
      ...expiryOf(record.retention, 'steps', finishedAt),
    });
    if (!outcome.ok) {
      await updateRun(runId, { delivery: { ...base, url, status: 'failed', attempts, zendesk } });
      await recordAudit({ subject: runId, runId, type: 'delivery.failed', actor: 'handrail', details: { url, to: 'zendesk', ticketId, calls: calls.length } });
      throw new DeliveryFailed(`deliver ${step.id}: Zendesk ticket ${ticketId ?? String(rawTicket ?? '(none)')}: ${outcome.error}`);
    }
    const deliveredAt = finishedAt.toISOString();
    await updateRun(runId, { status: 'delivered', delivery: { ...base, url, status: 'delivered', attempts, deliveredAt, zendesk }, releaseId: state.run.releaseId });
    return { status: 'delivered', deliveredAt, to: 'zendesk', ticketId, auditId: outcome.auditId, commentId: outcome.commentId, alreadyPosted: outcome.alreadyPosted, calls: calls.length };
  };

  if (!ticketId) return finish({ ok: false, error: `input.${step.zendesk.ticket} must be a Zendesk ticket id (a positive integer), not ${JSON.stringify(rawTicket ?? null).slice(0, 40)}` });
  let credentials: ZendeskCredentials;
  try {
    credentials = await zendeskCredentials();
  } catch (err) {
    return finish({ ok: false, error: err instanceof Error ? err.message : String(err) });
  }
  const api = ticketApi(credentials, { timeoutMs: step.timeoutMs, calls });
  const outcome = await replyOnTicket(
    { ticketId, text, act: step.zendesk, runId, stepId: step.id },
    {
      api,
      maxAttempts: step.maxAttempts,
      // An earlier invocation of this step recorded its intent (or failed after updating): look before posting.
      mayHaveLanded: Boolean(earlier) || record.delivery?.status === 'sending',
      recordIntent: () => updateRun(runId, { delivery: { ...base, url: `${credentials.url}/agent/tickets/${ticketId}`, status: 'sending', zendesk: { ticketId, comment: step.zendesk.comment, calls } } }),
    },
  );
  return finish(outcome, credentials);
}
