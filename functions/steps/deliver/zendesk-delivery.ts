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
import { updateRun, type DeliveryRecord, type RunRecord } from '../../records/runs.js';
import { recordConnectorOutcome, type ConnectorDelivery } from './connector-outcome.js';
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

  const delivery: ConnectorDelivery = {
    stepId: step.id,
    state,
    record,
    text,
    to: 'zendesk',
    startedAt,
    calls,
    input: { ticketId: ticketId ?? String(rawTicket ?? ''), comment: step.zendesk.comment, ...(step.zendesk.status ? { status: step.zendesk.status } : {}), tags: step.zendesk.tags },
    target: `Zendesk ticket ${ticketId ?? String(rawTicket ?? '(none)')}`,
  };
  const finish = (outcome: { ok: true; auditId?: number; commentId?: number; alreadyPosted: boolean } | { ok: false; error: string }, credentials?: ZendeskCredentials) => {
    const url = credentials && ticketId ? `${credentials.url}/agent/tickets/${ticketId}` : '';
    const zendesk = { ticketId: ticketId ?? 0, comment: step.zendesk.comment, calls, ...(outcome.ok && outcome.auditId !== undefined ? { auditId: outcome.auditId } : {}), ...(outcome.ok && outcome.commentId !== undefined ? { commentId: outcome.commentId } : {}) };
    return recordConnectorOutcome(delivery, outcome.ok ? { ok: true, output: { auditId: outcome.auditId, commentId: outcome.commentId, alreadyPosted: outcome.alreadyPosted } } : outcome, url, zendesk);
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
