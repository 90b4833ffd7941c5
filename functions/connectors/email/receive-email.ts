/**
 * One inbound email, as SES received it: quarantined when SES's verdicts fail (spam, virus, SPF,
 * DKIM), refused when no workflow receives mail for its recipients or its input does not validate
 * (a reviewer it names included), otherwise one run of the workflow the recipient names (started
 * once: the SES message id is the idempotency key, so a retried invocation finds the same run). Each outcome is an audit event; the
 * raw message stays in the inbound bucket (kept `email.keepDays`) whatever happens, so nothing is lost.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import * as z from 'zod';
import { checkInputReviewers } from '../../approvals/input-reviewer.js';
import { recordAudit } from '../../records/audit.js';
import { startRun } from '../../runs/start-run.js';
import { s3Client } from '../../shared/aws-clients.js';
import { ENV } from '../../shared/env-names.js';
import { jsonEnv, requireEnv } from '../../shared/env.js';
import { ConflictError, ValidationError } from '../../shared/errors.js';
import { logger } from '../../shared/logger.js';
import { workflowRegistry, type RegisteredWorkflow } from '../../shared/workflow-registry.js';
import { parseEmail, type InboundEmail } from './parse-message.js';
import { failedVerdicts, type SesRecord } from './ses-event.js';

/** Larger messages are quarantined unread (SES accepts up to 40 MB; a run needs the text, not the attachments). */
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

export type ReceiveOutcome =
  | { readonly status: 'started'; readonly runId: string; readonly duplicate: boolean; readonly workflowId: string }
  | { readonly status: 'quarantined' | 'rejected'; readonly reason: string };

const routesSchema = z.record(z.string().email(), z.string().min(1));

/** The receiving addresses (lower case) and the workflow each starts. */
function routes(): Map<string, string> {
  const parsed = jsonEnv(ENV.emailRoutes, routesSchema, 'the receiving addresses and their workflows');
  return new Map(Object.entries(parsed).map(([address, workflow]) => [address.toLowerCase(), workflow]));
}

/** The workflow's input from the message, as its trigger.email maps it (empty parts are left out). */
export function inputFromEmail(workflow: RegisteredWorkflow, email: InboundEmail): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [field, part] of Object.entries(workflow.definition.trigger.email?.input ?? {})) {
    if (email[part]) input[field] = email[part];
  }
  return input;
}

async function readMessage(key: string): Promise<Uint8Array | { tooLarge: number }> {
  const out = await s3Client().send(new GetObjectCommand({ Bucket: requireEnv(ENV.inboundMailBucket), Key: key }));
  if ((out.ContentLength ?? 0) > MAX_MESSAGE_BYTES) {
    out.Body?.transformToWebStream().cancel().catch(() => undefined);
    return { tooLarge: out.ContentLength! };
  }
  return out.Body!.transformToByteArray();
}

export async function receiveEmail(record: SesRecord): Promise<ReceiveOutcome> {
  const sesMessageId = record.ses.mail.messageId;
  const key = `${requireEnv(ENV.inboundMailPrefix)}${sesMessageId}`;
  const recipients = record.ses.receipt.recipients.map((r) => r.toLowerCase());
  const base = { sesMessageId, bucket: requireEnv(ENV.inboundMailBucket), key, recipients };
  const refuse = async (status: 'quarantined' | 'rejected', reason: string, more: Record<string, unknown> = {}): Promise<ReceiveOutcome> => {
    await recordAudit({ subject: `email#${sesMessageId}`, type: `email.${status}`, actor: 'ses', details: { ...base, reason, ...more } });
    logger.warn(`inbound email ${status}`, { sesMessageId, reason });
    return { status, reason };
  };

  const failed = failedVerdicts(record.ses.receipt);
  if (failed.length) return refuse('quarantined', `SES verdict FAIL: ${failed.join(', ')}`, { verdicts: failed });
  const byAddress = routes();
  const address = recipients.find((r) => byAddress.has(r));
  const workflow = address ? workflowRegistry().get(byAddress.get(address)!) : undefined;
  if (!address || !workflow) return refuse('rejected', `no workflow receives mail for ${recipients.join(', ')}`);
  if (!workflow.definition.trigger.email) return refuse('rejected', `workflow ${workflow.definition.id} declares no trigger.email`);

  const raw = await readMessage(key);
  if ('tooLarge' in raw) return refuse('quarantined', `the message is ${raw.tooLarge} bytes; at most ${MAX_MESSAGE_BYTES} are read`);
  let email: InboundEmail;
  try {
    email = await parseEmail(raw);
  } catch (err) {
    return refuse('quarantined', `not a readable MIME message: ${(err as Error).message}`);
  }
  const workflowId = workflow.definition.id;
  const input = inputFromEmail(workflow, email);
  const valid = workflow.inputSchema.safeParse(input);
  if (!valid.success) {
    const issue = valid.error.issues[0]!;
    return refuse('rejected', `input.${issue.path.join('.')}: ${issue.message}`, { workflowId });
  }
  // A reviewer the input names is one the directory knows, as for a webhook (else a run no one may decide).
  try {
    checkInputReviewers(workflow.definition, valid.data as Record<string, unknown>, 'input');
  } catch (err) {
    if (err instanceof ValidationError) return refuse('rejected', err.message, { workflowId });
    throw err;
  }
  try {
    const { runId, duplicate } = await startRun(workflow, valid.data as Record<string, unknown>, `ses:${sesMessageId}`);
    // Each message's stream (email#<SES message id>) says what became of it: here, the run it started.
    if (!duplicate) await recordAudit({ subject: `email#${sesMessageId}`, runId, type: 'email.received', actor: 'ses', details: { ...base, workflowId, address, attachmentsIgnored: email.attachments } });
    return { status: 'started', runId, duplicate, workflowId };
  } catch (err) {
    // Not retryable (no release live here, the key reused with another message): refused, kept in the bucket.
    if (err instanceof ConflictError) return refuse('rejected', err.message, { workflowId });
    throw err; // transient (DynamoDB, Step Functions): SES's asynchronous invocation is retried
  }
}
