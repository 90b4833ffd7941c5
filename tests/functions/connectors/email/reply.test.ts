import { describe, expect, it } from 'vitest';
import { replySubject, replyThread } from '../../../../functions/connectors/email/reply-message.js';
import { sendReplyOnce, type EmailCall } from '../../../../functions/connectors/email/send-reply.js';
import { buildEml, parseEmlHeaders } from '../../../../functions/notifications/mime.js';

describe('replyThread', () => {
  it('answers the original Message-ID and carries the thread, with one Re:', () => {
    // Act
    const thread = replyThread({ subject: 'Refund for order 42', inReplyTo: '<m1@mail.example.com>', references: '<a@x.test> <m0@acme.test>', runId: 'run-abc', from: 'support@acme.test' });
    // Assess
    expect(thread).toEqual({
      subject: 'Re: Refund for order 42',
      inReplyTo: '<m1@mail.example.com>',
      references: ['<a@x.test>', '<m0@acme.test>', '<m1@mail.example.com>'],
      messageId: 'handrail.run-abc@acme.test',
    });
  });

  it.each([
    ['Re: Refund', 'Re: Refund'],
    ['RE:Refund', 'RE:Refund'],
    ['AW: Frage', 'AW: Frage'],
    ['Refund\r\nBcc: x@evil.test', 'Re: Refund Bcc: x@evil.test'],
    ['', 'Re: (no subject)'],
  ])('subject %j → %j', (subject, expected) => expect(replySubject(subject)).toBe(expected));

  it('refuses what is no Message-ID', () => {
    expect(() => replyThread({ subject: 's', inReplyTo: 'not-an-id', runId: 'r', from: 'a@b.test' })).toThrow(/not a Message-ID/);
  });

  it('keeps the first and the latest ids of a long thread', () => {
    const refs = Array.from({ length: 30 }, (_, i) => `<r${i}@x.test>`).join(' ');
    const thread = replyThread({ subject: 's', inReplyTo: '<last@x.test>', references: refs, runId: 'r', from: 'a@b.test' });
    expect(thread.references).toHaveLength(20);
    expect(thread.references[0]).toBe('<r0@x.test>');
    expect(thread.references.at(-1)).toBe('<last@x.test>');
  });

  it('writes the threading headers exactly into the MIME message', () => {
    const thread = replyThread({ subject: 'Refund', inReplyTo: '<m1@mail.example.com>', references: '<m0@acme.test>', runId: 'run-abc', from: 'support@acme.test' });
    const eml = buildEml({ from: 'support@acme.test', to: 'ann@example.com', subject: thread.subject, messageId: thread.messageId, date: new Date(0), text: 'Hello', html: '<p>Hello</p>', inReplyTo: thread.inReplyTo, references: thread.references });
    expect(eml).toContain('\r\nIn-Reply-To: <m1@mail.example.com>\r\n');
    expect(eml).toContain('\r\nReferences: <m0@acme.test>\r\n <m1@mail.example.com>\r\n');
    const headers = parseEmlHeaders(eml);
    expect(headers.get('message-id')).toEqual(['<handrail.run-abc@acme.test>']);
    expect(headers.get('subject')).toEqual(['Re: Refund']);
  });
});

describe('sendReplyOnce', () => {
  const noWait = async () => undefined;
  const sdkError = (name: string, status?: number) => Object.assign(new Error(name), { name, ...(status ? { $metadata: { httpStatusCode: status } } : {}) });

  it('records the intent, then sends once', async () => {
    const order: string[] = [];
    const calls: EmailCall[] = [];
    const outcome = await sendReplyOnce({ send: async () => (order.push('send'), 'ses-1'), maxAttempts: 3, mayHaveLanded: false, recordIntent: async () => void order.push('intent'), calls, wait: noWait });
    expect(outcome).toEqual({ ok: true, value: 'ses-1', alreadyPosted: false });
    expect(order).toEqual(['intent', 'send']);
    expect(calls).toHaveLength(1);
  });

  it('a retried step whose intent was recorded sends nothing', async () => {
    let sent = 0;
    const outcome = await sendReplyOnce({ send: async () => String(++sent), maxAttempts: 3, mayHaveLanded: true, recordIntent: async () => undefined, calls: [], wait: noWait });
    expect(sent).toBe(0);
    expect(outcome).toMatchObject({ ok: false, error: expect.stringMatching(/may have sent the reply/) });
  });

  it('tries a throttled send again', async () => {
    let n = 0;
    const outcome = await sendReplyOnce({ send: async () => (++n < 3 ? Promise.reject(sdkError('TooManyRequestsException', 429)) : 'ses-3'), maxAttempts: 4, mayHaveLanded: false, recordIntent: async () => undefined, calls: [], wait: noWait });
    expect(outcome).toMatchObject({ ok: true, value: 'ses-3' });
    expect(n).toBe(3);
  });

  it('after a send whose outcome is unknown, sends no second one', async () => {
    let n = 0;
    const calls: EmailCall[] = [];
    const outcome = await sendReplyOnce({ send: async () => (n++, Promise.reject(sdkError('TimeoutError'))), maxAttempts: 4, mayHaveLanded: false, recordIntent: async () => undefined, calls, wait: noWait });
    expect(n).toBe(1);
    expect(outcome.ok).toBe(false);
    expect(calls.map((c) => c.error)).toEqual([expect.stringMatching(/TimeoutError/), expect.stringMatching(/may have sent/)]);
  });

  it('a refused message (4xx) is final at once', async () => {
    let n = 0;
    const outcome = await sendReplyOnce({ send: async () => (n++, Promise.reject(sdkError('MessageRejected', 400))), maxAttempts: 4, mayHaveLanded: false, recordIntent: async () => undefined, calls: [], wait: noWait });
    expect(n).toBe(1);
    expect(outcome).toMatchObject({ ok: false, error: expect.stringMatching(/MessageRejected/) });
  });
});
