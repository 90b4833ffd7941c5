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

export async function startFakeSlack() {
  const calls: SlackCall[] = [];
  let n = 0;
  const server = createServer(async (req, res) => {
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0]!;
    const args = slackArgs(await readBody(req), req.headers['content-type']);
    calls.push({ method, authorization: req.headers.authorization, args });
    const channel = typeof args.channel === 'string' && args.channel.startsWith('U') ? `D${args.channel.slice(1)}` : args.channel;
    const reply =
      method === 'chat.postMessage' ? { ok: true, channel, ts: `1700000000.${String(++n).padStart(6, '0')}` }
      : method === 'chat.update' ? { ok: true, channel, ts: args.ts }
      : method === 'views.open' ? { ok: true, view: { id: `V${++n}` } }
      : { ok: false, error: 'unknown_method' };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
  });
  const url = await listen(server);
  return { apiUrl: `${url}/api/`, calls, close: close(server) };
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
