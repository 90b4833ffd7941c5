/**
 * The event an SES receipt rule's Lambda action sends (invocation type Event), after its S3 action
 * stored the raw message under `<prefix><mail.messageId>`: what SES found (verdicts) and for whom.
 * The local SMTP listener (local/smtp-listener.ts) sends the same shape.
 */
import * as z from 'zod';

/** PASS, FAIL, GRAY (could not tell), PROCESSING_FAILED, DISABLED (the rule does not scan). */
const verdict = z.object({ status: z.string().min(1).max(40) }).passthrough();

export const sesRecordSchema = z
  .object({
    eventSource: z.literal('aws:ses'),
    ses: z
      .object({
        mail: z
          .object({
            // SES message ids are letters, digits and dashes: they name the stored object.
            messageId: z.string().regex(/^[A-Za-z0-9-]{1,128}$/, 'an SES message id (letters, digits and -)'),
            timestamp: z.string().optional(),
          })
          .passthrough(),
        receipt: z
          .object({
            recipients: z.array(z.string().min(3).max(320)).min(1),
            spamVerdict: verdict.optional(),
            virusVerdict: verdict.optional(),
            spfVerdict: verdict.optional(),
            dkimVerdict: verdict.optional(),
            dmarcVerdict: verdict.optional(),
          })
          .passthrough(),
      })
      .passthrough(),
  })
  .passthrough();

export const sesEventSchema = z.object({ Records: z.array(sesRecordSchema).min(1).max(50) }).passthrough();

export type SesRecord = z.infer<typeof sesRecordSchema>;
export type SesEvent = z.infer<typeof sesEventSchema>;

/** The checks whose FAIL quarantines a message (DMARC is reported, its policy is the sender domain's to enforce). */
export const QUARANTINING_VERDICTS = ['spam', 'virus', 'spf', 'dkim'] as const;

/** The checks that failed, e.g. `['spf', 'dkim']`. */
export function failedVerdicts(receipt: SesRecord['ses']['receipt']): string[] {
  return QUARANTINING_VERDICTS.filter((v) => receipt[`${v}Verdict`]?.status?.toUpperCase() === 'FAIL');
}
