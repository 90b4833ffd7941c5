/**
 * The template's SES receipt rules, locally: an SMTP listener (smtp-server) that accepts mail for
 * the rules' recipients only (550 for any other, as SES rejects mail no active rule takes), stores
 * each message raw under the rule's bucket and prefix in the S3 emulator, and invokes the rule's
 * function asynchronously with the event SES sends (`Records[].ses.mail`, `.receipt`), as the
 * receipt rule's S3 and Lambda actions do on AWS. Nothing is scanned here: the spam and virus
 * verdicts say DISABLED and SPF, DKIM and DMARC say GRAY (not checked).
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SMTPServer } from 'smtp-server';
import type { LambdaInvoker } from './lambda-host.js';
import type { LocalReceiptRule } from './template-reader.js';

/** SES accepts messages up to 40 MB; the local listener refuses larger ones at DATA (552). */
const MAX_BYTES = 40 * 1024 * 1024;

/** Where `npm start` receives mail when HANDRAIL_SMTP_PORT does not say (SMTP's submission ports need root; 2525 does not). */
export const DEFAULT_SMTP_PORT = 2525;

export interface SmtpListener {
  readonly port: number;
  close(): Promise<void>;
}

/** Does a rule take this address? Its recipients are addresses or domains (SES: a domain takes every address at it). */
export function takes(rule: LocalReceiptRule, address: string): boolean {
  const lower = address.toLowerCase();
  const domain = lower.split('@')[1] ?? '';
  return rule.recipients.length === 0 || rule.recipients.some((r) => (r.includes('@') ? r === lower : r === domain || domain.endsWith(`.${r}`)));
}

/** The event an SES receipt rule's Lambda action sends, for a message stored under `messageId`. */
export function sesEvent(messageId: string, from: string, recipients: string[], rule: LocalReceiptRule): Record<string, unknown> {
  const timestamp = new Date().toISOString();
  const unchecked = { status: 'GRAY' };
  return {
    Records: [
      {
        eventSource: 'aws:ses',
        eventVersion: '1.0',
        ses: {
          mail: { timestamp, source: from, messageId, destination: recipients },
          receipt: {
            timestamp,
            processingTimeMillis: 0,
            recipients,
            spamVerdict: { status: 'DISABLED' },
            virusVerdict: { status: 'DISABLED' },
            spfVerdict: unchecked,
            dkimVerdict: unchecked,
            dmarcVerdict: unchecked,
            action: { type: 'Lambda', functionArn: rule.functionArn, invocationType: 'Event' },
          },
        },
      },
    ],
  };
}

export interface SmtpListenerOptions {
  readonly rules: LocalReceiptRule[];
  readonly lambdas: LambdaInvoker;
  readonly s3: S3Client;
  readonly port: number;
  readonly host: string;
  readonly onError: (err: unknown, rule: LocalReceiptRule) => void;
}

export async function startSmtpListener(options: SmtpListenerOptions): Promise<SmtpListener> {
  const { rules, lambdas, s3 } = options;
  const server = new SMTPServer({
    banner: 'Handrail local SES receipt rules',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: MAX_BYTES,
    logger: false,
    onRcptTo(address, _session, callback) {
      if (rules.some((rule) => takes(rule, address.address))) return callback();
      callback(Object.assign(new Error(`Mailbox unavailable: no receipt rule takes ${address.address}`), { responseCode: 550 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (err) => callback(err));
      stream.on('end', () => {
        if (stream.sizeExceeded) return callback(Object.assign(new Error('Message exceeds the maximum size'), { responseCode: 552 }));
        const raw = Buffer.concat(chunks);
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const recipients = session.envelope.rcptTo.map((r) => r.address);
        // As SES: one stored object and one invocation per rule that takes any recipient, all under one message id.
        const messageId = randomBytes(20).toString('hex');
        const matched = rules.filter((rule) => recipients.some((r) => takes(rule, r)));
        Promise.all(
          matched.map(async (rule) => {
            await s3.send(new PutObjectCommand({ Bucket: rule.bucket, Key: `${rule.prefix}${messageId}`, Body: raw, ContentType: 'message/rfc822' }));
            const event = sesEvent(messageId, from, recipients.filter((r) => takes(rule, r)), rule);
            // The Lambda action's Event invocation: SES does not wait for the function.
            void lambdas.invoke(rule.functionArn, event).catch((err: unknown) => options.onError(err, rule));
          }),
        ).then(
          () => callback(null, `Ok: queued as ${messageId}`),
          (err: unknown) => callback(Object.assign(new Error(`Could not store the message: ${(err as Error).message}`), { responseCode: 451 })),
        );
      });
    },
  });
  server.on('error', (err) => console.error(`handrail: SMTP listener: ${err.message}`));
  const port = await new Promise<number>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE' ? new Error(`SMTP port ${options.port} is in use; stop the other process or set HANDRAIL_SMTP_PORT to another port`) : err);
    server.server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.server.off('error', onError);
      resolve((server.server.address() as AddressInfo).port);
    });
  });
  return { port, close: () => new Promise<void>((done) => server.close(() => done())) };
}
