/**
 * Fakes of the services approval channels talk to, on 127.0.0.1: the Slack Web API (records each
 * method call with its arguments, answers `{ok: true, …}` as Slack does) and a Teams incoming
 * webhook (records each card). Used with SLACK_API_URL and TEAMS_WEBHOOK_URL.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackCall {
  readonly method: string;
  readonly authorization: string | undefined;
  readonly args: Record<string, any>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const close = (server: Server) => () => new Promise<void>((r) => server.close(() => r()));

/** The Web API client posts form-encoded arguments; objects (blocks, view) arrive as JSON strings. */
function slackArgs(raw: string, contentType: string | undefined): Record<string, any> {
  if (contentType?.includes('application/json')) return JSON.parse(raw || '{}');
  const args: Record<string, any> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    try {
      args[k] = v.startsWith('[') || v.startsWith('{') ? JSON.parse(v) : v;
    } catch {
      args[k] = v;
    }
  }
  return args;
}

/**
 * What the next call of a method meets instead of the usual answer: an HTTP status, a Slack error,
 * or a post that lands but whose answer is lost (`landThenFail`: the message is kept, the client
 * sees a 500).
 */
export type SlackFault = { status: number; retryAfter?: number } | { error: string } | { landThenFail: true };

export async function startFakeSlack() {
  const calls: SlackCall[] = [];
  /** Messages posted, per channel, newest last (conversations.history reads them back with their metadata). */
  const messages = new Map<string, { ts: string; text: string; metadata?: unknown }[]>();
  const faults = new Map<string, SlackFault[]>();
  let n = 0;
  const server = createServer(async (req, res) => {
    // A request's response_url (Slack's https://hooks.slack.com/…; here /hooks/…): the message is recorded as `response_url`.
    if (req.url?.startsWith('/hooks/')) {
      calls.push({ method: 'response_url', authorization: req.headers.authorization, args: { ...slackArgs(await readBody(req), req.headers['content-type']), path: req.url } });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0]!;
    const args = slackArgs(await readBody(req), req.headers['content-type']);
    calls.push({ method, authorization: req.headers.authorization, args });
    const channel = typeof args.channel === 'string' && args.channel.startsWith('U') ? `D${args.channel.slice(1)}` : args.channel;
    const fault = faults.get(method)?.shift();
    if (fault && 'status' in fault) {
      res.writeHead(fault.status, { 'content-type': 'application/json', ...(fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {}) }).end('{"ok":false}');
      return;
    }
    if (fault && 'error' in fault) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: fault.error }));
      return;
    }
    const post = () => {
      const ts = `1700000000.${String(++n).padStart(6, '0')}`;
      messages.set(channel, [...(messages.get(channel) ?? []), { ts, text: args.text, ...(args.metadata ? { metadata: args.metadata } : {}) }]);
      return ts;
    };
    if (fault && 'landThenFail' in fault) {
      post();
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"ok":false}');
      return;
    }
    const reply =
      method === 'chat.postMessage' ? { ok: true, channel, ts: post() }
      : method === 'chat.update' ? { ok: true, channel, ts: args.ts }
      : method === 'views.open' ? { ok: true, view: { id: `V${++n}` } }
      : method === 'conversations.history' ? { ok: true, messages: [...(messages.get(channel) ?? [])].reverse().map((m) => ({ type: 'message', ...m })), has_more: false }
      : { ok: false, error: 'unknown_method' };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
  });
  const url = await listen(server);
  return {
    apiUrl: `${url}/api/`,
    /** Where a test request's response_url points (the same origin as the Web API: SLACK_API_URL's). */
    hooksUrl: `${url}/hooks/`,
    calls,
    messages,
    /** The chat.postMessage calls sent to `channel` (as the caller named it), in order. */
    postsTo: (channel: string) => calls.filter((c) => c.method === 'chat.postMessage' && c.args.channel === channel),
    /** The next calls of `method` meet these faults, in order. */
    fail: (method: string, ...next: SlackFault[]) => void faults.set(method, [...(faults.get(method) ?? []), ...next]),
    close: close(server),
  };
}

export async function startFakeTeams() {
  const cards: any[] = [];
  const state = { status: 200 };
  const server = createServer(async (req, res) => {
    const raw = await readBody(req);
    if (state.status < 300) cards.push(JSON.parse(raw));
    res.writeHead(state.status, { 'content-type': 'text/plain' }).end(state.status < 300 ? '1' : 'webhook disabled');
  });
  const url = await listen(server);
  return {
    url: `${url}/webhookb2/test`,
    cards,
    setStatus: (s: number) => {
      state.status = s;
    },
    close: close(server),
  };
}
