/**
 * Emails each reviewer their request. The transport is configuration: `ses` (SES v2, raw MIME) on
 * AWS, `outbox` locally (one RFC 822 .eml file per message, served by GET /outbox). Both send the
 * very same bytes, built once by buildEml.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import type { Reviewer } from '../../state-machines/directory.js';
import { traced } from '../shared/tracer.js';
import { inboxLinkFor } from '../approvals/inbox-link.js';
import { reviewLinksFor } from '../approvals/review-links.js';
import type { ApprovalRecord } from '../records/approvals.js';
import { emailSettings, type EmailSettings } from './channel-config.js';
import { approvalEmail, type ApprovalEmail } from './email-message.js';
import { buildEml } from './mime.js';
import { errorText, noteNotification } from './notification-audit.js';

export { OUTBOX_ID } from './mime.js';

let ses: SESv2Client | undefined;
let sesOnce: SESv2Client | undefined;

/** How one message is sent besides its content. */
export interface SendOptions {
  /** Its Message-ID (without `<>`); @default `<outbox id>@handrail` */
  readonly messageId?: string;
  /** A reply's threading headers (mime.ts). */
  readonly inReplyTo?: string;
  readonly references?: readonly string[];
  /** One attempt only (the SDK retries nothing): the caller decides what may be sent again (connectors/email/send-reply.ts). */
  readonly singleAttempt?: boolean;
}

/** One message, through the configured transport; returns its message id. `headers` name what it is about (never secrets). */
export async function sendEmail(settings: EmailSettings, message: Pick<ApprovalEmail, 'to' | 'subject' | 'text' | 'html'>, headers: [string, string][], options: SendOptions = {}): Promise<string> {
  const id = `${Date.now()}-${randomUUID().slice(0, 8)}`; // sorts by time; matches OUTBOX_ID
  const eml = buildEml({
    from: settings.from,
    to: message.to,
    subject: message.subject,
    messageId: options.messageId ?? `${id}@handrail`,
    date: new Date(),
    text: message.text,
    html: message.html,
    headers,
    ...(options.inReplyTo ? { inReplyTo: options.inReplyTo } : {}),
    ...(options.references ? { references: options.references } : {}),
  });
  if (settings.transport === 'outbox') {
    mkdirSync(settings.outboxDir!, { recursive: true });
    const file = join(settings.outboxDir!, `${id}.eml`);
    writeFileSync(`${file}.tmp`, eml, { mode: 0o600 }); // the links are credentials
    renameSync(`${file}.tmp`, file); // readers never see half a message
    return id;
  }
  const client = options.singleAttempt ? (sesOnce ??= traced(new SESv2Client({ maxAttempts: 1 }))) : (ses ??= traced(new SESv2Client({ maxAttempts: 2 })));
  const out = await client.send(
    new SendEmailCommand({ FromEmailAddress: settings.from, Destination: { ToAddresses: [message.to] }, Content: { Raw: { Data: Buffer.from(eml, 'utf8') } } }),
    { abortSignal: AbortSignal.timeout(8000) },
  );
  return out.MessageId ?? id;
}

export async function notifyEmail(approval: ApprovalRecord, reviewers: Reviewer[]): Promise<void> {
  const settings = emailSettings();
  if ('off' in settings) return noteNotification(approval, 'notification.skipped', 'email', { reason: `email is off: ${settings.off}` });
  const reachable = reviewers.filter((r): r is Reviewer & { email: string } => Boolean(r.email));
  const unreachable = reviewers.filter((r) => !r.email).map((r) => r.id);
  if (!reachable.length) return noteNotification(approval, 'notification.skipped', 'email', { reason: 'no reviewer has an email address', unreachable });

  const links = await reviewLinksFor(approval);
  const results = await Promise.allSettled(
    reachable.map(async (r) => {
      const message = approvalEmail(approval, r, links[r.id]!, await inboxLinkFor(r.id));
      return sendEmail(settings, message, [['X-Handrail-Approval-Id', approval.approvalId], ...message.links.map((l): [string, string] => ['X-Handrail-Review-Link', l])]);
    }),
  );
  const sent = reachable.filter((_, i) => results[i]!.status === 'fulfilled').map((r) => r.email);
  const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [{ recipient: reachable[i]!.email, error: errorText(r.reason) }] : []));
  if (sent.length) {
    const messageIds = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    await noteNotification(approval, 'notification.sent', 'email', { recipients: sent, transport: settings.transport, messageIds, ...(unreachable.length ? { unreachable } : {}) });
  }
  if (failed.length) await noteNotification(approval, 'notification.failed', 'email', { transport: settings.transport, failed });
}
