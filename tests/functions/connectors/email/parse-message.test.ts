import { describe, expect, it } from 'vitest';
import { htmlText, parseEmail } from '../../../../functions/connectors/email/parse-message.js';

const crlf = (lines: string[]) => lines.join('\r\n');

describe('parseEmail', () => {
  it('reads a plain message: sender, recipients, subject, text and thread ids', async () => {
    // Prepare
    const raw = crlf([
      'From: Ann Example <ann@example.com>',
      'To: support@acme.test, "Sales" <sales@acme.test>',
      'Subject: Refund for order 42',
      'Message-ID: <m1@mail.example.com>',
      'In-Reply-To: <m0@acme.test>',
      'References: <a@x.test>\r\n <m0@acme.test>',
      'Date: Tue, 01 Dec 2026 10:00:00 +0000',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'I was charged twice.',
      '',
    ]);
    // Act
    const email = await parseEmail(raw);
    // Assess
    expect(email).toMatchObject({
      from: 'ann@example.com',
      fromName: 'Ann Example',
      to: 'support@acme.test, sales@acme.test',
      subject: 'Refund for order 42',
      text: 'I was charged twice.',
      messageId: '<m1@mail.example.com>',
      inReplyTo: '<m0@acme.test>',
      references: '<a@x.test> <m0@acme.test>',
      date: '2026-12-01T10:00:00.000Z',
      attachments: 0,
    });
  });

  it('takes the text/plain part of multipart/alternative, not the HTML', async () => {
    const raw = crlf([
      'From: ann@example.com',
      'To: support@acme.test',
      'Subject: Hi',
      'Message-ID: <m2@example.com>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Caf=C3=A9 is closed =E2=80=94 why?',
      '--b1',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>HTML <b>version</b></p>',
      '--b1--',
      '',
    ]);
    const email = await parseEmail(raw);
    expect(email.text).toBe('Café is closed — why?');
  });

  it('turns an HTML-only message into text', async () => {
    const raw = crlf([
      'From: ann@example.com',
      'To: support@acme.test',
      'Subject: Hi',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<html><head><style>p{color:red}</style></head><body><p>Line one &amp; more</p><p>Line&nbsp;two<br>three</p><script>alert(1)</script></body></html>',
    ]);
    const email = await parseEmail(raw);
    expect(email.text).toBe('Line one & more\nLine two\nthree');
    expect(email.messageId).toBe('');
  });

  it('ignores attachments: their content never reaches the text', async () => {
    const raw = crlf([
      'From: ann@example.com',
      'To: support@acme.test',
      'Subject: Invoice',
      'Content-Type: multipart/mixed; boundary="mix"',
      '',
      '--mix',
      'Content-Type: text/plain',
      '',
      'See the attached invoice.',
      '--mix',
      'Content-Type: application/pdf; name="invoice.pdf"',
      'Content-Disposition: attachment; filename="invoice.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('%PDF-1.4 SECRET-ATTACHMENT-BYTES').toString('base64'),
      '--mix',
      'Content-Type: text/plain; name="notes.txt"',
      'Content-Disposition: attachment; filename="notes.txt"',
      '',
      'ATTACHED TEXT FILE',
      '--mix--',
      '',
    ]);
    const email = await parseEmail(raw);
    expect(email.text).toBe('See the attached invoice.');
    expect(email.attachments).toBe(2);
    expect(JSON.stringify(email)).not.toMatch(/SECRET-ATTACHMENT|ATTACHED TEXT FILE/);
  });

  it('decodes RFC 2047 encoded words in the subject and the sender name', async () => {
    const raw = crlf([
      'From: =?UTF-8?B?SsO8cmdlbiBNw7xsbGVy?= <jm@example.de>',
      'To: support@acme.test',
      'Subject: =?ISO-8859-1?Q?R=FCckerstattung?= =?UTF-8?B?IOKAlCBiaXR0ZQ==?=',
      'Message-ID: <m3@example.de>',
      '',
      'Bitte.',
    ]);
    const email = await parseEmail(raw);
    expect(email.fromName).toBe('Jürgen Müller');
    expect(email.subject).toBe('Rückerstattung — bitte');
  });

  it('replies go to Reply-To when the message names one', async () => {
    const raw = crlf(['From: noreply@forms.example.com', 'Reply-To: Ann <ann@example.com>', 'To: support@acme.test', 'Subject: Form', '', 'x']);
    expect((await parseEmail(raw)).from).toBe('ann@example.com');
  });
});

describe('htmlText', () => {
  it.each([
    ['<p>a</p><p>b</p>', 'a\nb'],
    ['x &#233; &#x2014; y', 'x é — y'],
    ['<div>one</div>\n\n\n\n<div>two</div>', 'one\n\ntwo'],
  ])('%s', (html, text) => expect(htmlText(html)).toBe(text));
});
