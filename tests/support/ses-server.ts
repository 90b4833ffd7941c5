/**
 * A local server that speaks the SES v2 API's SendEmail (POST /v2/email/outbound-emails, raw
 * content) as SES does: 200 with a MessageId, or the error answers SES gives (429
 * TooManyRequestsException, 5xx). Tests point the SDK at it with AWS_ENDPOINT_URL_SESV2.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseEmlHeaders } from '../../functions/notifications/mime.js';

export interface SentRaw {
  readonly from: string;
  readonly to: string[];
  readonly raw: string;
  readonly headers: Map<string, string[]>;
}

export interface FakeSes {
  readonly url: string;
  /** Messages SES accepted (replies and any other). */
  readonly sent: SentRaw[];
  /** Every SendEmail call of a reply (a message with In-Reply-To), answered or not. */
  calls: number;
  /** The next replies' answers (then 200); other messages (approval notices) are always accepted. */
  fail(...statuses: number[]): void;
  close(): Promise<void>;
}

const errorTypes: Record<number, string> = { 429: 'TooManyRequestsException', 400: 'MessageRejected', 500: 'InternalFailure', 503: 'ServiceUnavailable' };

export async function startFakeSes(): Promise<FakeSes> {
  const failures: number[] = [];
  const state = { calls: 0 };
  const sent: SentRaw[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v2/email/outbound-emails') {
        res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'NotFoundException' }).end(JSON.stringify({ message: `no route ${req.method} ${req.url}` }));
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { FromEmailAddress: string; Destination?: { ToAddresses?: string[] }; Content: { Raw: { Data: string } } };
      const raw = Buffer.from(body.Content.Raw.Data, 'base64').toString('utf8');
      const reply = parseEmlHeaders(raw).has('in-reply-to');
      if (reply) state.calls++;
      const status = reply ? failures.shift() : undefined;
      if (status) {
        res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': errorTypes[status] ?? 'BadRequestException' }).end(JSON.stringify({ message: `fake SES answers ${status}` }));
        return;
      }
      sent.push({ from: body.FromEmailAddress, to: body.Destination?.ToAddresses ?? [], raw, headers: parseEmlHeaders(raw) });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ MessageId: `ses-${sent.length}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sent,
    get calls() {
      return state.calls;
    },
    set calls(n: number) {
      state.calls = n;
    },
    fail: (...statuses) => void failures.push(...statuses),
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
