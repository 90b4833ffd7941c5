/**
 * A reply that stays in its thread (RFC 5322 §3.6.4): `In-Reply-To` the original Message-ID,
 * `References` the original's references followed by it, the subject with one `Re: `, and a
 * Message-ID of its own that the run names, so the same run always sends the same message.
 *
 * @example
 * replyThread({ subject: 'Refund', inReplyTo: '<m1@x>', references: '<m0@x>', runId: 'run-1', from: 'support@acme.com' })
 * // { subject: 'Re: Refund', inReplyTo: '<m1@x>', references: ['<m0@x>', '<m1@x>'], messageId: 'handrail.run-1@acme.com' }
 */
const MESSAGE_ID = /<[^<>\s]+>/g;

/** At most this many ids are carried in References (the first and the latest, as RFC 5322 suggests trimming). */
const MAX_REFERENCES = 20;

export interface ReplyThread {
  readonly subject: string;
  readonly inReplyTo: string;
  readonly references: string[];
  /** Without angle brackets, as mime.ts takes it. */
  readonly messageId: string;
}

export function replySubject(subject: string): string {
  const flat = subject.replace(/[\r\n]+/g, ' ').trim();
  return /^(re|aw|sv|antw)\s*:/i.test(flat) ? flat : `Re: ${flat || '(no subject)'}`;
}

export function replyThread(original: { subject: string; inReplyTo: string; references?: string; runId: string; from: string }): ReplyThread {
  const inReplyTo = original.inReplyTo.match(MESSAGE_ID)?.[0];
  if (!inReplyTo) throw new Error(`not a Message-ID: ${JSON.stringify(original.inReplyTo).slice(0, 80)}`);
  const earlier = (original.references ?? '').match(MESSAGE_ID) ?? [];
  const thread = [...earlier.filter((id) => id !== inReplyTo), inReplyTo];
  const references = thread.length > MAX_REFERENCES ? [thread[0]!, ...thread.slice(-(MAX_REFERENCES - 1))] : thread;
  const domain = original.from.split('@')[1] ?? 'handrail';
  return { subject: replySubject(original.subject), inReplyTo, references, messageId: `handrail.${original.runId}@${domain}` };
}
