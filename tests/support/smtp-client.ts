/**
 * A small SMTP client over a socket (RFC 5321: EHLO, MAIL FROM, RCPT TO, DATA with dot-stuffing,
 * QUIT), as any mail server speaks to another: what the tests send inbound email with.
 */
import { connect } from 'node:net';

export /** One SMTP session: each command's reply code, and the queue id of the accepted message. */
async function smtpSend(port: number, from: string, to: string[], message: string): Promise<{ codes: number[]; queuedAs?: string }> {
  const socket = connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  let buffer = '';
  const waiters: ((line: string) => void)[] = [];
  socket.on('data', (data: string) => {
    buffer += data;
    // A reply is complete on a line "NNN text" (not "NNN-text", a continuation).
    for (let m = /^(\d{3}) .*\r\n/m.exec(buffer); m; m = /^(\d{3}) .*\r\n/m.exec(buffer)) {
      const end = m.index + m[0].length;
      const reply = buffer.slice(0, end);
      buffer = buffer.slice(end);
      waiters.shift()?.(reply);
    }
  });
  const reply = () => new Promise<string>((resolve) => waiters.push(resolve));
  const command = async (line: string) => {
    const next = reply();
    socket.write(`${line}\r\n`);
    return next;
  };
  const codes: number[] = [];
  const code = (r: string) => Number(r.slice(0, 3));
  codes.push(code(await reply())); // greeting
  codes.push(code(await command('EHLO test.example')));
  codes.push(code(await command(`MAIL FROM:<${from}>`)));
  let accepted = 0;
  for (const rcpt of to) {
    const c = code(await command(`RCPT TO:<${rcpt}>`));
    codes.push(c);
    if (c === 250) accepted++;
  }
  let queuedAs: string | undefined;
  if (accepted) {
    codes.push(code(await command('DATA')));
    // Dot-stuffing: a line starting with "." gets another.
    const body = message.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
    const done = await command(`${body}\r\n.`);
    codes.push(code(done));
    queuedAs = /queued as ([0-9a-f]+)/.exec(done)?.[1];
  }
  codes.push(code(await command('QUIT')));
  socket.end();
  return { codes, ...(queuedAs ? { queuedAs } : {}) };
}

/** A plain-text message with these headers. */
export const inboundMessage = (headers: Record<string, string>, body: string) =>
  [...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', body, ''].join('\r\n');
