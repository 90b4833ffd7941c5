/**
 * An inbound email, from its raw MIME bytes (RFC 5322/2045/2047, parsed by postal-mime): the parts
 * a workflow's input may be mapped from (state-machines/schema.ts EMAIL_FIELDS). The text is the
 * text/plain part, or the HTML part turned into text when there is none; attachments are never read
 * into a run.
 *
 * @example
 * const email = await parseEmail(raw); // { from: 'ann@example.com', subject: 'Refund', text: '…', messageId: '<…>' }
 */
import PostalMime, { type Address } from 'postal-mime';
import type { EmailField } from '../../../state-machines/schema.js';

export type InboundEmail = Readonly<Record<EmailField, string>> & { readonly attachments: number };

/** The first mailbox of an address list (a group's first member). */
function firstMailbox(addresses: Address | Address[] | undefined): { name: string; address: string } | undefined {
  for (const a of Array.isArray(addresses) ? addresses : addresses ? [addresses] : []) {
    if (a.address) return { name: a.name, address: a.address };
    if (a.group?.[0]) return a.group[0];
  }
  return undefined;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Readable text from an HTML-only message: block ends become line breaks, tags and scripts go, entities are decoded. */
export function htmlText(html: string): string {
  return html
    .replace(/<(script|style|head)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|tr|h[1-6]|blockquote)\s*>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === '#') {
        const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1));
        return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    })
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Message-IDs keep their angle brackets (`<id@host>`), as In-Reply-To and References carry them. */
const bracketed = (id: string | undefined) => {
  const trimmed = (id ?? '').trim();
  if (!trimmed) return '';
  return trimmed.startsWith('<') ? trimmed : `<${trimmed}>`;
};

export async function parseEmail(raw: Uint8Array | string): Promise<InboundEmail> {
  const email = await PostalMime.parse(raw, { attachmentEncoding: 'arraybuffer' });
  const from = firstMailbox(email.replyTo ?? email.from) ?? firstMailbox(email.from);
  const to = (email.to ?? []).flatMap((a) => (a.address ? [a.address] : (a.group ?? []).map((m) => m.address)));
  const text = (email.text ?? (email.html ? htmlText(email.html) : '')).replace(/\r\n/g, '\n').trim();
  return {
    from: from?.address ?? '',
    fromName: from?.name ?? '',
    to: to.join(', '),
    subject: (email.subject ?? '').trim(),
    text,
    messageId: bracketed(email.messageId),
    inReplyTo: bracketed(email.inReplyTo),
    references: (email.references ?? '').replace(/\s+/g, ' ').trim(),
    date: email.date ?? '',
    attachments: email.attachments.length,
  };
}
