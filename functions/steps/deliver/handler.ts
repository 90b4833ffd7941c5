/**
 * Lambda: POSTs the approved text to the workflow's webhook, signed with HMAC-SHA256 and keyed by
 * the runId, or, where the step says `zendesk` and the stage declares Zendesk, posts it to the
 * run's ticket (zendesk-delivery.ts), where it says `hubspot` and the stage declares HubSpot, logs
 * it on the run's contact (hubspot-delivery.ts), or where it says `slack`, posts it to a Slack channel
 * (slack-delivery.ts), or where it says `email`, the stage declares email and an email started the
 * run, replies to its sender in the same thread (email-delivery.ts). A run that is already delivered is never sent again; a final
 * failure is recorded on the run and raised as DeliveryFailed so the state machine marks the run
 * `delivery_failed`.
 */
import { updateRun, type DeliveryRecord } from '../../records/runs.js';
import { recordAudit } from '../../records/audit.js';
import { ENV } from '../../shared/env-names.js';
import { numberEnv } from '../../shared/env.js';
import { DeliveryFailed, ValidationError } from '../../shared/errors.js';
import type { GenerateOutput } from '../../shared/step-contract.js';
import type { StepOf } from '../../../state-machines/schema.js';
import { stepTaskHandler } from '../step-task.js';
import { zendeskConfigured } from '../../connectors/zendesk/credentials.js';
import { postWithRetries } from './post-with-retries.js';
import { deliverToSlack } from './slack-delivery.js';
import { deliverToZendesk } from './zendesk-delivery.js';
import { hubspotConfigured } from '../../connectors/hubspot/credentials.js';
import { deliverToHubspot } from './hubspot-delivery.js';
import { deliverByEmail, replySettings, startedByEmail } from './email-delivery.js';

/**
 * The earlier steps a delivery reads: the generate step whose text it sends, if not the approval's
 * (every target reads the run's input and the decided approval, never another step's output).
 */
export const deliverReads = (step: StepOf<'deliver'>): string[] => (step.text === 'approval' ? [] : [step.text]);

export const handler = stepTaskHandler('deliver', undefined, async ({ step, state, record }) => {
  const { runId, workflowId, version } = state.run;
  if (step.knowledge) throw new ValidationError(`deliver ${step.id}: knowledge edits are written by the workflow's own knowledge deliver function (knowledge-handler.ts), not this one`, 'step.knowledge');
  if (record.delivery?.status === 'delivered') return { status: 'delivered', deliveredAt: record.delivery.deliveredAt, duplicate: true };

  const text = step.text === 'approval' ? state.approval?.text : (state.steps[step.text] as GenerateOutput | undefined)?.text;
  if (!text) throw new ValidationError(`deliver ${step.id}: there is no ${step.text === 'approval' ? 'approved' : step.text} text to deliver`, 'step.text');
  // A stage that declares Zendesk acts on the ticket where the step says how (stages.yaml zendesk).
  const zendesk = step.zendesk && zendeskConfigured() ? step.zendesk : undefined;
  // …and one that declares HubSpot logs it on the contact (stages.yaml hubspot).
  const hubspot = step.hubspot && hubspotConfigured() ? step.hubspot : undefined;
  // A stage that declares email replies by email to the runs an email started (stages.yaml email).
  const emailSettings = step.email && startedByEmail(step.email, state.input) ? replySettings() : undefined;
  const email = emailSettings ? step.email : undefined;
  // A step with slack posts only to Slack (its channel, or the one its input field names).
  const slackTarget = step.slack ? `slack:${step.slack.channel ?? `input.${step.slack.channelFromInput}`}` : undefined;
  const url = slackTarget ?? (email ? `mailto:${String(state.input[email.to] ?? '')}` : undefined) ?? (zendesk ? `zendesk:${process.env[ENV.zendeskUrl]}` : hubspot ? `hubspot:${process.env[ENV.hubspotUrl]}` : (step.urlFromEnv && process.env[step.urlFromEnv]) || step.url);
  const connector = step.zendesk ? 'zendesk' : step.hubspot ? 'hubspot' : undefined;
  if (!url) throw new DeliveryFailed(`deliver ${step.id}: set ${step.urlFromEnv ?? 'url'} to the URL to deliver to${connector ? `, or declare ${connector} in the stage (stages.yaml)` : ''}`);
  // A replay (functions/replays/) delivers nothing: the step says what it would have sent where.
  // A deliver step may end the run (no finish state follows): the replay's run then ends completed.
  if (state.run.replay) {
    await updateRun(runId, { status: 'completed', releaseId: state.run.releaseId });
    return { status: 'not_delivered', replay: true, wouldDeliverTo: url, length: text.length };
  }
  if (step.slack) return deliverToSlack({ ...step, slack: step.slack }, state, record, text);
  if (email && emailSettings) return deliverByEmail({ ...step, email }, state, record, text, emailSettings);
  if (zendesk) return deliverToZendesk({ ...step, zendesk }, state, record, text);
  if (hubspot) return deliverToHubspot({ ...step, hubspot }, state, record, text);
  const deliveredAt = new Date().toISOString();
  const body = JSON.stringify({
    runId,
    workflowId,
    workflowVersion: version,
    stepId: step.id,
    text,
    approval: state.approval
      ? { approvalId: state.approval.approvalId, reviewer: state.approval.reviewer, action: state.approval.action, ...(state.approval.items ? { items: state.approval.items } : {}) }
      : undefined,
    input: state.input,
    sentAt: deliveredAt,
  });
  const result = await postWithRetries({
    url,
    body,
    idempotencyKey: runId,
    maxAttempts: step.maxAttempts,
    timeoutMs: step.timeoutMs,
    backoffMs: numberEnv(ENV.deliveryBackoffMs, 500),
  });
  const delivery: DeliveryRecord = { status: result.ok ? 'delivered' : 'failed', url, text, attempts: result.attempts, ...(result.ok ? { deliveredAt: new Date().toISOString() } : {}) };
  if (!result.ok) {
    await updateRun(runId, { delivery });
    await recordAudit({ subject: runId, runId, type: 'delivery.failed', actor: 'handrail', details: { url, attempts: result.attempts } });
    throw new DeliveryFailed(`deliver ${step.id}: ${url} did not accept the delivery after ${result.attempts.length} attempt(s): ${result.attempts.at(-1)?.error ?? ''}`);
  }
  await updateRun(runId, { status: 'delivered', delivery, releaseId: state.run.releaseId });
  return { status: 'delivered', deliveredAt: delivery.deliveredAt, attempts: result.attempts.length };
}, deliverReads);
