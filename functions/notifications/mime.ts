/**
 * Just enough MIME (RFC 5322 / 2045 / 2047) to write an approval email as an .eml file and read
 * its headers back: multipart/alternative with quoted-printable UTF-8 parts, so the file stays
 * readable in a text editor and opens in any mail client. The same bytes go to SES (raw).
 */
import { randomUUID } from 'node:crypto';

/** Ids of outbox messages (`<epoch ms>-<8 hex>`): sortable by time, safe as file names. */
export const OUTBOX_ID = /^\d{13}-[0-9a-f]{8}$/;

/** Header values never carry CR/LF: request data could otherwise inject headers. */
function headerValue(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ').trim();
  return /^[\x20-\x7e]*$/.test(flat) ? flat : `=?UTF-8?B?${Buffer.from(flat, 'utf8').toString('base64')}?=`;
}

function qpLine(line: string): string {
  const bytes = Buffer.from(line, 'utf8');
  let out = '';
  let column = 0;
  bytes.forEach((b, i) => {
    const trailingSpace = (b === 0x20 || b === 0x09) && i === bytes.length - 1;
    const literal = b !== 0x3d && ((b >= 0x21 && b <= 0x7e) || ((b === 0x20 || b === 0x09) && !trailingSpace));
    const token = literal ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
    if (column + token.length > 75) {
      out += '=\r\n'; // soft line break: lines stay within 76 characters
      column = 0;
    }
    out += token;
    column += token.length;
  });
  return out;
}

export function quotedPrintable(text: string): string {
  return text.split(/\r?\n/).map(qpLine).join('\r\n');
}

export interface MimeMessage {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly messageId: string;
  readonly date: Date;
  readonly text: string;
  readonly html: string;
  /** Extra `X-…` headers (ASCII values). */
  readonly headers?: [string, string][];
  /** A reply: the Message-ID it answers (`<…>`) … */
  readonly inReplyTo?: string;
  /** … and the thread's Message-IDs, oldest first, the answered one last. */
  readonly references?: readonly string[];
}

/** Message-IDs, one per folded line (a References line may otherwise pass the 998-character limit). */
function idList(ids: readonly string[]): string {
  return ids.map((id) => headerValue(id)).join('\r\n ');
}

export function buildEml(m: MimeMessage): string {
  const boundary = `handrail-${randomUUID()}`;
  const part = (type: string, body: string) =>
    [`--${boundary}`, `Content-Type: ${type}; charset=utf-8`, 'Content-Transfer-Encoding: quoted-printable', '', quotedPrintable(body)].join('\r\n');
  return [
    `From: ${headerValue(m.from)}`,
    `To: ${headerValue(m.to)}`,
    `Subject: ${headerValue(m.subject)}`,
    `Date: ${m.date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${m.messageId}>`,
    ...(m.inReplyTo ? [`In-Reply-To: ${headerValue(m.inReplyTo)}`] : []),
    ...(m.references?.length ? [`References: ${idList(m.references)}`] : []),
    ...(m.headers ?? []).map(([name, value]) => `${name}: ${headerValue(value)}`),
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    part('text/plain', m.text),
    part('text/html', m.html),
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

function decodeWords(value: string): string {
  return value.replace(/=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=/gi, (_, b64: string) => Buffer.from(b64, 'base64').toString('utf8'));
}

/** The headers of an .eml (unfolded, RFC 2047 words decoded), by lower-case name. */
export function parseEmlHeaders(eml: string): Map<string, string[]> {
  const head = eml.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const headers = new Map<string, string[]>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), decodeWords(line.slice(colon + 1).trim())]);
  }
  return headers;
}
