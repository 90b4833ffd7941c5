/**
 * A server that answers every request with the same raw bytes, for faults the JSON fakes in
 * tests/support/fake-model-servers.ts cannot send: a 200 whose body is truncated, malformed JSON.
 * h2c for the Bedrock client (HTTP/2 only), HTTP/1.1 for the OpenAI client.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createH2Server, type Http2ServerRequest, type Http2ServerResponse, type Http2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';

export interface RawServer {
  readonly url: string;
  readonly hits: () => number;
  close(): Promise<void>;
}

export async function startRawServer(body: string, protocol: 'http1' | 'h2c' = 'http1'): Promise<RawServer> {
  let hits = 0;
  const handle = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => {
    req.resume();
    req.on('end', () => {
      hits++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
  };
  const sessions = new Set<Http2Session>();
  const server = protocol === 'h2c' ? createH2Server(handle) : createServer(handle);
  server.on('session', (s: Http2Session) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits: () => hits,
    close: () =>
      new Promise<void>((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        for (const s of sessions) s.destroy();
        server.close(() => resolve());
      }),
  };
}
