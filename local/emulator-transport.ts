/**
 * DynamoDB's requests from a thread of this process to the emulators' thread, over a MessagePort
 * (emulators.ts `connect`) instead of a loopback socket: dynalite answers each with the request
 * handler its HTTP server calls (emulator-worker.mjs). Used through an InProcessRequestHandler
 * (in-process-requests.ts).
 */
import type { MessagePort } from 'node:worker_threads';
import type { Exchange, WireReply, WireRequest } from './in-process-requests.js';

/** A request on the port: numbered, so its reply finds it. */
export interface PortRequest extends WireRequest {
  readonly id: number;
}

/** The reply to request `id`. */
export interface PortReply extends WireReply {
  readonly id: number;
}

export interface EmulatorExchange {
  readonly exchange: Exchange;
  /** The emulators stop: requests still out, and any sent after, fail as a closed connection's would; the port closes. */
  close(): void;
}

export function emulatorExchange(port: MessagePort): EmulatorExchange {
  const waiting = new Map<number, { resolve(reply: WireReply): void; reject(error: Error): void }>();
  let nextId = 0;
  let closed = false;
  const stopped = () => Object.assign(new Error('The local DynamoDB emulator stopped'), { code: 'ECONNRESET' });
  port.on('message', (reply: PortReply) => {
    const waiter = waiting.get(reply.id);
    waiting.delete(reply.id);
    // An idle port does not keep the process alive; one with a request out does.
    if (waiting.size === 0) port.unref();
    waiter?.resolve(reply);
  });
  port.unref();
  // The emulators' thread gone (stopped, or crashed): what is out fails instead of waiting forever.
  port.on('close', () => fail());
  function fail(): void {
    closed = true;
    for (const { reject } of waiting.values()) reject(stopped());
    waiting.clear();
  }
  return {
    exchange: (request) =>
      new Promise((resolve, reject) => {
        if (closed) return reject(stopped());
        const id = nextId++;
        waiting.set(id, { resolve, reject });
        if (waiting.size === 1) port.ref();
        port.postMessage({ id, ...request } satisfies PortRequest);
      }),
    close() {
      fail();
      port.close();
    },
  };
}
