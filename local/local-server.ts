/**
 * What the local runtime's own HTTP servers share (the Step Functions endpoint, the embedded
 * Secrets Manager, the API Gateway adapter): listening on a loopback port, closing with the
 * connections SDK clients keep alive, and reading a bounded request body.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts `server` on `host:port` (0: a free port); closing also drops kept-alive connections. */
export async function listenLocally(server: Server, { host = '127.0.0.1', port = 0 }: { host?: string; port?: number } = {}): Promise<LocalServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // SDK clients keep connections alive; without this close() waits for them to idle out.
        server.closeAllConnections();
      }),
  };
}

/**
 * The request's body, or undefined when it is over `maxBytes`: read to the end either way (data past
 * the limit is dropped), so an error can still be answered on the connection.
 */
export function readBodyUpTo(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.on('end', () => resolve(size > maxBytes ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
