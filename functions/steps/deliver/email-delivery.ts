/**
 * A deliver step with `email`, in a stage that declares email, for a run an email started: the
 * approved text goes back to the sender as a reply in the same thread (connectors/email/), through
 * SES (locally the outbox), never twice. The run record carries the intent (`delivery.status:
 * sending`) before the send and the outcome after; a final failure is DeliveryFailed: the run goes
 * to the human queue as `delivery_failed`.
 */
import { escapeHtml } from '../../notifications/email-message.js';
import { sendEmail } from '../../notifications/email-send.js';
import type { EmailSettings } from '../../notifications/channel-config.js';
import { replyThread } from '../../connectors/email/reply-message.js';
import { sendReplyOnce, type EmailCall } from '../../connectors/email/send-reply.js';
import { updateRun, type RunRecord } from '../../records/runs.js';
import { ENV } from '../../shared/env-names.js';
import { optionalEnv } from '../../shared/env.js';
import type { ExecutionState } from '../../shared/step-contract.js';
import { recordConnectorOutcome, type ConnectorDelivery } from './connector-outcome.js';
import type { EmailAct, StepOf } from '../../../state-machines/schema.js';

const ADDRESS = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/** How replies leave here: SES on AWS, the outbox locally; undefined where the stage declares no email. */
export function replySettings(): EmailSettings | undefined {
  const from = optionalEnv(ENV.emailReplyFrom);
  const transport = optionalEnv(ENV.emailTransport);
  if (!from || (transport !== 'ses' && transport !== 'outbox')) return undefined;
  const outboxDir = optionalEnv(ENV.outboxDir);
  if (transport === 'outbox' && !outboxDir) return undefined;
  return { transport, from, ...(outboxDir ? { outboxDir } : {}) };
}

/** A run an email started: its input holds the Message-ID the reply answers. */
export function startedByEmail(act: EmailAct, input: Record<string, unknown>): boolean {
  const id = input[act.inReplyTo];
  return typeof id === 'string' && /<[^<>\s]+>/.test(id);
}

export async function deliverByEmail(step: StepOf<'deliver'> & { email: EmailAct }, state: ExecutionState, record: RunRecord, text: string, settings: EmailSettings) {
  const { runId } = state.run;
  const startedAt = new Date();
  const input = state.input;
  const to = String(input[step.email.to] ?? '');
  const earlier = record.delivery?.email;
  const calls: EmailCall[] = [...(earlier?.calls ?? [])];
  const url = `mailto:${to}`;
  let thread: ReturnType<typeof replyThread> | undefined;
  let sesMessageId: string | undefined;

  const delivery: ConnectorDelivery = {
    stepId: step.id,
    state,
    record,
    text,
    to: 'email',
    startedAt,
    calls,
    input: { to, inReplyTo: String(input[step.email.inReplyTo] ?? '') },
    target: `email to ${to || '(no address)'}`,
  };
  const part = () => ({ to, inReplyTo: thread?.inReplyTo ?? '', messageId: thread ? `<${thread.messageId}>` : '', ...(sesMessageId ? { sesMessageId } : {}), calls });
  const finish = (outcome: { ok: true; alreadyPosted: boolean } | { ok: false; error: string }) =>
    recordConnectorOutcome(delivery, outcome.ok ? { ok: true, output: { messageId: `<${thread!.messageId}>`, inReplyTo: thread!.inReplyTo } } : outcome, url, part());

  if (!ADDRESS.test(to)) return finish({ ok: false, error: `input.${step.email.to} must be the sender's email address, not ${JSON.stringify(input[step.email.to] ?? null).slice(0, 60)}` });
  try {
    thread = replyThread({
      subject: String(input[step.email.subject] ?? ''),
      inReplyTo: String(input[step.email.inReplyTo] ?? ''),
      ...(step.email.references && typeof input[step.email.references] === 'string' ? { references: input[step.email.references] as string } : {}),
      runId,
      from: settings.from,
    });
  } catch (err) {
    return finish({ ok: false, error: `input.${step.email.inReplyTo}: ${(err as Error).message}` });
  }
  const reply = thread;
  const outcome = await sendReplyOnce({
    send: async () =>
      (sesMessageId = await sendEmail(
        settings,
        { to, subject: reply.subject, text, html: `<!doctype html><html><body><div style="white-space:pre-wrap">${escapeHtml(text)}</div></body></html>` },
        [['X-Handrail-Run-Id', runId]],
        { messageId: reply.messageId, inReplyTo: reply.inReplyTo, references: reply.references, singleAttempt: true },
      )),
    maxAttempts: step.maxAttempts,
    // An earlier invocation left an intent without an outcome, or a send whose outcome is unknown: it may have landed.
    mayHaveLanded: record.delivery?.status === 'sending' || (earlier?.calls ?? []).some((c) => c.status === undefined || c.status >= 500),
    recordIntent: () => updateRun(runId, { delivery: { url, text, attempts: [], status: 'sending', email: part() } }),
    calls,
  });
  return finish(outcome.ok ? { ok: true, alreadyPosted: outcome.alreadyPosted } : outcome);
}
