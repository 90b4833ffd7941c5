/**
 * Lambda, invoked by the SES receipt rule's Lambda action (and locally by the runtime's SMTP
 * listener) once the rule's S3 action stored the message: each message starts one run of the
 * workflow its recipient names, or is quarantined or refused with an audit event
 * (functions/connectors/email/receive-email.ts). A transient failure throws, so the invocation is retried.
 */
import { receiveEmail } from '../../connectors/email/receive-email.js';
import { sesEventSchema } from '../../connectors/email/ses-event.js';
import { stepHandler } from '../../shared/lambda-handler.js';

export const handler = stepHandler(sesEventSchema, async (event) => {
  const outcomes = [];
  for (const record of event.Records) outcomes.push({ sesMessageId: record.ses.mail.messageId, ...(await receiveEmail(record)) });
  return { outcomes };
});
