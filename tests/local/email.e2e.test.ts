/**
 * Email in and out on the local runtime, through its public doors: a message sent over SMTP (a
 * small client speaking the protocol over a socket, as any mail server would) to the stage's
 * receiving address is stored in the S3 emulator and starts a support-reply run; once approved, the
 * reply lands in the outbox as a reply in the same thread. What SES would refuse or quarantine
 * starts nothing and leaves an audit event.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTrail } from '../../functions/records/audit.js';
import { getRun } from '../../functions/records/runs.js';
import { s3Client } from '../../functions/shared/aws-clients.js';
import { parseEmlHeaders } from '../../functions/notifications/mime.js';
import { parseEmail } from '../../functions/connectors/email/parse-message.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../../local/template-reader.js';
import { inboundMessage as message, smtpSend } from '../support/smtp-client.js';
import { client, decideAs, pendingApprovalOf, startTestRuntime, waitFor, waitForRun } from '../support/local-runtime.js';
import { LOCAL_EMAIL_STAGE, useStagesFile } from '../support/stages-file.js';

const ADDRESS = 'support@handrail.localhost';
let rt: LocalRuntime;
// The local stage that receives and sends email (the project's stages.yaml declares the same).
useStagesFile(LOCAL_EMAIL_STAGE);
beforeAll(async () => {
  rt = await startTestRuntime();
}, 120_000);
afterAll(async () => {
  await rt?.stop();
});

const trailOf = (sesMessageId: string) => waitFor(async () => {
  const events = await auditTrail(`email#${sesMessageId}`);
  return events.length > 0 && events;
}, `the audit trail of inbound email ${sesMessageId}`);

describe('email in and out (local SMTP listener, local outbox)', () => {
  it('an email starts a support-reply run; once approved, the reply goes back to the sender in the same thread, once', { timeout: 90_000 }, async () => {
    // Prepare
    expect(rt.smtpPort).toBeGreaterThan(0);
    const original = message(
      { From: 'Ann Customer <ann@customer.example>', To: ADDRESS, Subject: 'Refund for my annual plan', 'Message-ID': '<thread-1@customer.example>', References: '<thread-0@customer.example>', Date: new Date().toUTCString() },
      'How do I get a refund for my annual plan?',
    );
    // Act
    const sent = await smtpSend(rt.smtpPort!, 'ann@customer.example', [ADDRESS], original);
    // Assess: accepted, stored raw, one run with the message as input
    expect(sent.codes).toEqual([220, 250, 250, 250, 354, 250, 221]);
    const stored = await s3Client().send(new GetObjectCommand({ Bucket: await bucketName(), Key: `inbound/${sent.queuedAs}` }));
    expect(await stored.Body!.transformToString()).toContain('Message-ID: <thread-1@customer.example>');
    const [received] = await trailOf(sent.queuedAs!);
    expect(received).toMatchObject({ type: 'email.received', actor: 'ses', details: expect.objectContaining({ workflowId: 'support-reply', address: ADDRESS }) });
    const runId = received!.runId!;
    const run = await getRun(runId);
    expect(run?.input).toEqual({
      ticketId: '<thread-1@customer.example>',
      messageId: '<thread-1@customer.example>',
      references: '<thread-0@customer.example>',
      subject: 'Refund for my annual plan',
      body: 'How do I get a refund for my annual plan?',
      customerEmail: 'ann@customer.example',
    });

    const approval = await pendingApprovalOf(rt, runId);
    expect((await decideAs(rt, approval, 'support-agent@example.com', { action: 'approve' })).status).toBe(200);
    const delivered = await waitForRun(rt, runId, ['delivered', 'delivery_failed']);
    expect(delivered.status).toBe('delivered');

    const api = client(rt);
    const outbox = await waitFor(async () => {
      const list = await api.get(`/outbox?runId=${runId}`);
      return list.body.messages?.length > 0 && list.body.messages;
    }, 'the reply in the outbox');
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ to: 'ann@customer.example', subject: 'Re: Refund for my annual plan' });
    const eml = (await api.get(`/outbox/${outbox[0].id}`)).text as string;
    const headers = parseEmlHeaders(eml);
    expect(headers.get('in-reply-to')).toEqual(['<thread-1@customer.example>']);
    expect(headers.get('references')).toEqual(['<thread-0@customer.example> <thread-1@customer.example>']);
    expect(headers.get('from')).toEqual([ADDRESS]);
    expect(headers.get('message-id')).toEqual([`<handrail.${runId}@handrail.localhost>`]);
    const record = await getRun(runId);
    // The reply's text is the approved text (read back with the same MIME parser inbound mail goes through).
    expect((await parseEmail(eml)).text).toBe(record!.delivery!.text.trim());
    expect(record?.delivery).toMatchObject({ status: 'delivered', url: 'mailto:ann@customer.example', email: { to: 'ann@customer.example', inReplyTo: '<thread-1@customer.example>' } });

    // The same SES event again (a retried asynchronous invocation) finds the same run and sends nothing more.
    const retried = await rt.lambdas.invoke(emailTriggerArn(), sesEventFor(sent.queuedAs!));
    expect(retried).toMatchObject({ outcomes: [{ status: 'started', runId, duplicate: true }] });
    expect((await api.get(`/outbox?runId=${runId}`)).body.messages).toHaveLength(1);
  });

  it('refuses mail for an address no receipt rule takes (550), as SES does', async () => {
    const sent = await smtpSend(rt.smtpPort!, 'ann@customer.example', ['nobody@elsewhere.example'], message({ Subject: 'x' }, 'x'));
    expect(sent.codes).toEqual([220, 250, 250, 550, 221]);
  });

  it('a message the workflow\'s input refuses starts nothing: rejected, with the field named, and kept in the bucket', { timeout: 30_000 }, async () => {
    // No Subject: support-reply requires one.
    const sent = await smtpSend(rt.smtpPort!, 'ann@customer.example', [ADDRESS], message({ From: 'ann@customer.example', To: ADDRESS, 'Message-ID': '<nosubject@customer.example>' }, 'Hello?'));
    expect(sent.codes.at(-2)).toBe(250);
    const [event, ...more] = await trailOf(sent.queuedAs!);
    expect(more).toEqual([]);
    expect(event).toMatchObject({ type: 'email.rejected', details: expect.objectContaining({ reason: expect.stringMatching(/^input\.subject: /), key: `inbound/${sent.queuedAs}`, workflowId: 'support-reply' }) });
    const kept = await s3Client().send(new GetObjectCommand({ Bucket: await bucketName(), Key: `inbound/${sent.queuedAs}` }));
    expect(await kept.Body!.transformToString()).toContain('Hello?');
  });

  it('quarantines what SES\'s verdicts fail (spam, virus, SPF, DKIM) without reading it', async () => {
    const event = sesEventFor('0123456789abcdef-quarantine', { spfVerdict: { status: 'FAIL' }, dkimVerdict: { status: 'FAIL' }, spamVerdict: { status: 'PASS' } });
    const out = await rt.lambdas.invoke(emailTriggerArn(), event);
    expect(out).toMatchObject({ outcomes: [{ status: 'quarantined', reason: 'SES verdict FAIL: spf, dkim' }] });
    const [audit] = await trailOf('0123456789abcdef-quarantine');
    expect(audit).toMatchObject({ type: 'email.quarantined', details: expect.objectContaining({ verdicts: ['spf', 'dkim'] }) });
  });

  it('refuses a malformed event with a message naming the field', async () => {
    await expect(rt.lambdas.invoke(emailTriggerArn(), { Records: [{ eventSource: 'aws:ses', ses: { mail: { messageId: '../etc/passwd' }, receipt: { recipients: [ADDRESS] } } }] })).rejects.toThrow(/Records\.0\.ses\.mail\.messageId/);
  });
});

function emailTriggerArn(): string {
  const [id] = Object.entries(rt.template.Resources).find(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Metadata?.['handrail:kind'] === 'email-trigger')!;
  return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${id}`;
}

async function bucketName(): Promise<string> {
  return Object.keys(rt.template.Resources).find((id) => rt.template.Resources[id]!.Type === 'AWS::S3::Bucket' && id.startsWith('InboundEmailBucket'))!.toLowerCase();
}

function sesEventFor(messageId: string, verdicts: Record<string, { status: string }> = {}) {
  return { Records: [{ eventSource: 'aws:ses', ses: { mail: { messageId }, receipt: { recipients: [ADDRESS], ...verdicts } } }] };
}
