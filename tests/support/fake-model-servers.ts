/**
 * Local HTTP servers that speak just enough of the Bedrock Converse and OpenAI chat-completions
 * protocols for the real SDK clients to talk to them. Each server plays a script of replies in
 * order, then repeats its default reply, and records every request it received.
 *
 * The Bedrock Runtime client sends every request over HTTP/2 (its default handler is
 * NodeHttp2Handler, because the service has bidirectional streams), so its fake is an h2c
 * (cleartext HTTP/2) server; the OpenAI SDK uses fetch over HTTP/1.1.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createH2Server, type Http2ServerRequest, type Http2ServerResponse, type Http2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';

export type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | 'hang';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: any;
}

export interface FakeServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  script(...replies: Reply[]): void;
  close(): Promise<void>;
}

export async function startFakeServer(defaultReply: Reply, protocol: 'http1' | 'h2c' = 'http1'): Promise<FakeServer> {
  const pending: Reply[] = [];
  const requests: RecordedRequest[] = [];
  const handle = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        /* keep the raw text */
      }
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const reply = pending.shift() ?? defaultReply;
      if (reply === 'hang') return; // never answer: the client's timeout must fire
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
    });
  };
  const sessions = new Set<Http2Session>();
  const server = protocol === 'h2c' ? createH2Server(handle) : createServer(handle);
  if (protocol === 'h2c') {
    server.on('session', (session: Http2Session) => {
      sessions.add(session);
      session.on('close', () => sessions.delete(session));
    });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script: (...replies) => pending.push(...replies),
    close: () =>
      new Promise<void>((resolve) => {
        // Hung requests would otherwise keep the server open forever.
        if ('closeAllConnections' in server) server.closeAllConnections();
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}

export function converseOk(text: string, inputTokens = 11, outputTokens = 7): Reply {
  return {
    status: 200,
    body: {
      output: { message: { role: 'assistant', content: [{ text }] } },
      stopReason: 'end_turn',
      usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
      metrics: { latencyMs: 5 },
    },
  };
}

/** A Bedrock error as the service sends it: the exception name in x-amzn-errortype. */
export function bedrockError(status: number, type: string, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'x-amzn-errortype': type, ...headers }, body: { message: `${type} from fake` } };
}

export function chatOk(text: string, promptTokens = 13, completionTokens = 9): Reply {
  return {
    status: 200,
    body: {
      id: 'chatcmpl-fake',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'gpt-fake-2024-01-01',
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop', logprobs: null }],
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    },
  };
}

export function openaiError(status: number, message: string, headers: Record<string, string> = {}): Reply {
  return { status, headers, body: { error: { message, type: 'fake_error', param: null, code: null } } };
}
