import { describe, expect, it } from 'vitest';
import { approvalEmail } from '../../../functions/notifications/email-message.js';
import { buildEml, parseEmlHeaders, quotedPrintable } from '../../../functions/notifications/mime.js';
import { ADAPTIVE_CARD, teamsCard } from '../../../functions/notifications/teams-card.js';
import { sampleApproval } from './fixtures.js';

const agent = { id: 'support-agent@example.com', name: 'Sam Agent', email: 'support-agent@example.com' };
const link = `http://localhost:3000/review/${'a'.repeat(120)}.${'b'.repeat(43)}`;

function decodeQp(text: string): string {
  const bytes = text.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

describe('the approval email', () => {
  const approval = sampleApproval();
  const email = approvalEmail(approval, agent, link, 'http://localhost:3000/inbox/t');

  it('has the request, the draft, the cited sources, the deadline and the reviewer’s link', () => {
    expect(email.to).toBe('support-agent@example.com');
    expect(email.subject).toBe('[Handrail] Approval needed: channels-demo / review');
    for (const part of ['Hello Sam Agent', link, 'subject: Refund <@U123> & more', 'body: How do I get a refund?', 'Hi, refunds take 5 days [1].', '[1] Refunds (refunds v2)', '2026-01-02T10:00:00.000Z']) {
      expect(email.text).toContain(part);
    }
    expect(email.links).toEqual([link]);
  });

  it('escapes request data in the HTML part', () => {
    expect(email.html).toContain('Refund &lt;@U123&gt; &amp; more');
    expect(email.html).not.toContain('<@U123>');
    expect(email.html).toContain(`href="${link}"`);
  });
});

describe('the .eml (RFC 822 / MIME)', () => {
  const approval = sampleApproval();
  const email = approvalEmail(approval, agent, link);
  const eml = buildEml({
    from: 'handrail@localhost',
    to: email.to,
    subject: 'Ärger: approval needed',
    messageId: '1-abc@handrail',
    date: new Date('2026-01-01T10:00:00Z'),
    text: email.text,
    html: email.html,
    headers: [['X-Handrail-Review-Link', link], ['X-Injected', 'a\r\nBcc: evil@example.com']],
  });

  it('is multipart/alternative with CRLF lines of at most 998 (QP: 76) characters', () => {
    expect(eml).toMatch(/^From: handrail@localhost\r\nTo: support-agent@example.com\r\n/);
    expect(eml).toContain('Date: Thu, 01 Jan 2026 10:00:00 +0000');
    expect(eml).toContain('MIME-Version: 1.0');
    expect(eml).toMatch(/Content-Type: multipart\/alternative; boundary="handrail-/);
    expect(eml).toContain('Content-Type: text/plain; charset=utf-8');
    expect(eml).toContain('Content-Type: text/html; charset=utf-8');
    const body = eml.split('\r\n\r\n').slice(1).join('\r\n\r\n');
    for (const line of body.split('\r\n')) expect(line.length).toBeLessThanOrEqual(76);
    expect(eml.replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('never lets a header value add a header', () => {
    expect(eml).not.toMatch(/\r\nBcc:/);
    expect(parseEmlHeaders(eml).get('x-injected')).toEqual(['a Bcc: evil@example.com']);
  });

  it('reads back: decoded subject, the link header, and a QP body that decodes to the text', () => {
    const headers = parseEmlHeaders(eml);
    expect(headers.get('subject')).toEqual(['Ärger: approval needed']);
    expect(headers.get('x-handrail-review-link')).toEqual([link]);
    const textPart = eml.split('Content-Transfer-Encoding: quoted-printable\r\n\r\n')[1]!.split('\r\n--handrail-')[0]!;
    expect(decodeQp(textPart).replace(/\r\n/g, '\n')).toBe(email.text);
  });

  it('encodes quoted-printable per RFC 2045', () => {
    expect(quotedPrintable('a=b é')).toBe('a=3Db =C3=A9');
    expect(quotedPrintable('trailing ')).toBe('trailing=20');
    const long = quotedPrintable('x'.repeat(200));
    expect(long.split('\r\n').every((l) => l.length <= 76)).toBe(true);
    expect(decodeQp(long)).toBe('x'.repeat(200));
  });
});

describe('the Teams card', () => {
  it('is an Adaptive Card in the incoming-webhook envelope, with one review link per reviewer', () => {
    const approval = sampleApproval();
    const lead = { id: 'support-lead@example.com', name: 'Lee Lead', email: 'support-lead@example.com' };
    const card = teamsCard(approval, [agent, lead], { [agent.id]: `${link}1`, [lead.id]: `${link}2` });
    expect(card.type).toBe('message');
    expect(card.attachments).toHaveLength(1);
    const [attachment] = card.attachments;
    expect(attachment!.contentType).toBe(ADAPTIVE_CARD);
    expect(attachment!.content).toMatchObject({ type: 'AdaptiveCard', version: '1.4', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json' });
    expect(attachment!.content.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'Review as Sam Agent', url: `${link}1` },
      { type: 'Action.OpenUrl', title: 'Review as Lee Lead', url: `${link}2` },
    ]);
    const body = JSON.stringify(attachment!.content.body);
    expect(body).toContain('Approval needed: channels-demo / review');
    expect(body).toContain('Hi, refunds take 5 days [1].');
    expect(body).toContain('FactSet');
    expect(body).toContain('[1] Refunds (refunds v2)');
    expect(JSON.stringify(card)).not.toContain('token-secret');
  });
});
