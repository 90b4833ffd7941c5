/**
 * Request body limits, enforced while the body is read, with Hono's own body-limit middleware: it
 * refuses a declared Content-Length over the limit before reading anything, and counts the bytes
 * of a streamed (chunked) body, stopping at the limit. Either way the answer is a 413 that states
 * the limit and closes the connection (api/errors.ts), so the client sends no more of the body.
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { PayloadTooLargeError } from '../shared/errors.js';
import { BODY_LIMITS } from './limits.js';

function limited(maxSize: number): MiddlewareHandler {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new PayloadTooLargeError(maxSize);
    },
  });
}

/** The limit for a path: knowledge documents may be larger than everything else. */
export function bodyLimitFor(path: string): number {
  return /^\/knowledge\/[^/]+\/documents\/?$/.test(path) ? BODY_LIMITS.knowledge : BODY_LIMITS.default;
}

export function bodyLimits(): MiddlewareHandler {
  const byLimit = new Map(Object.values(BODY_LIMITS).map((limit) => [limit, limited(limit)]));
  return (c, next) => byLimit.get(bodyLimitFor(c.req.path))!(c, next);
}
