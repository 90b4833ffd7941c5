/**
 * Tells a client that went away (closed the connection while its body was still being sent, or
 * before the answer) from a failure of ours, so the former is logged at INFO and never as a 500.
 */
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

/** What reading the body of a request whose client disconnected fails with (Node, @hono/node-server). */
function isDisconnectError(err: unknown): boolean {
  for (let e: unknown = err, hops = 0; e instanceof Error && hops < 5; e = e.cause, hops++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (e.message === 'Client connection prematurely closed.') return true; // @hono/node-server's own words
    if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || e.name === 'AbortError' || e.message === 'aborted') return true;
  }
  return false;
}

/** Whether the client of `c` disconnected, as the Node server saw it (false behind API Gateway). */
function clientGone(c: Context): boolean {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming && (incoming.readableAborted || (incoming.destroyed && !incoming.complete))) return true;
  return c.req.raw.signal?.aborted === true;
}

/**
 * True when `err` comes from the client having disconnected. Both must hold: a disconnect-shaped
 * error alone could be one of our own outbound calls failing, and a gone client alone does not
 * make our failure theirs.
 */
export function isClientAbort(err: unknown, c: Context): boolean {
  return isDisconnectError(err) && (clientGone(c) || (err instanceof Error && err.message === 'Client connection prematurely closed.'));
}
