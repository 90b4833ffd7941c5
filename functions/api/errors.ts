/**
 * Maps typed errors to HTTP answers: 4xx with a message that names the field, never a stack. The
 * review and inbox pages answer with an HTML page; everything else with
 * `{error: {code, message, field?}}`. Only a failure of ours is a 500 logged at ERROR, with
 * link tokens redacted from the path; a client that hung up is logged at INFO.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ConflictError, ForbiddenError, NotFoundError, PayloadTooLargeError, TooManyRequestsError, UnauthorizedError, ValidationError } from '../shared/errors.js';
import { redact } from '../shared/log-redaction.js';
import { logger } from '../shared/logger.js';
import { isClientAbort } from './client-abort.js';
import { messagePage } from './routes/review-page.js';

/** nginx's "client closed request": never seen by the client, it keeps logs and metrics honest. */
export const CLIENT_CLOSED_REQUEST = 499;

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 429 | 500;

export function statusFor(err: unknown): ErrorStatus {
  if (err instanceof ValidationError) return 400;
  if (err instanceof UnauthorizedError) return 401;
  if (err instanceof ForbiddenError) return 403;
  if (err instanceof NotFoundError) return 404;
  if (err instanceof ConflictError) return 409;
  if (err instanceof PayloadTooLargeError) return 413;
  if (err instanceof TooManyRequestsError) return 429;
  return 500;
}

const PAGE_TITLES: Record<number, string> = { 400: 'Check the form', 401: 'Sign-in needed', 403: 'Not allowed', 404: 'Not found', 409: 'Cannot apply this decision', 413: 'Too large', 429: 'Too many requests' };

/** The review and inbox links, the sign-in pages and the console are opened in a browser: they get a page, not JSON. */
export const isPagePath = (path: string) => /^\/(review|inbox|auth|console)(\/|$)/.test(path);

function answer(c: Context, status: ContentfulStatusCode, code: string, message: string, field?: string, extra: Record<string, unknown> = {}) {
  if (isPagePath(c.req.path)) return c.html(messagePage(PAGE_TITLES[status] ?? 'Something went wrong', message), status);
  return c.json({ error: { code, message, ...(field ? { field } : {}), ...extra } }, status);
}

const hasBody = (c: Context) => Number(c.req.header('content-length') ?? 0) > 0 || c.req.header('transfer-encoding') !== undefined;

export function errorResponse(err: unknown, c: Context) {
  const where = { method: c.req.method, path: redact(c.req.path) };
  if (isClientAbort(err, c)) {
    logger.info('client closed the connection before the request was answered', { ...where, reason: (err as Error).message });
    return answer(c, CLIENT_CLOSED_REQUEST as ContentfulStatusCode, 'ClientClosedRequest', 'The client closed the connection.');
  }
  if (err instanceof HTTPException && err.status < 500) return answer(c, err.status, 'HttpError', err.message || 'The request was refused.');
  const status = statusFor(err);
  if (status === 500) {
    logger.error('request failed', { ...where, error: err as Error });
    return answer(c, 500, 'InternalError', 'Something went wrong on our side; the request can be retried.');
  }
  // The rest of a too-large body is never read, so the connection cannot carry another request:
  // close it (RFC 9110 §15.5.14). Left open, @hono/node-server would cut it 500 ms later, failing
  // whatever request the client had sent on it meanwhile.
  if (status === 413) c.header('connection', 'close');
  // A request refused before its body was read (no or bad credentials, no role, an unknown
  // collection in the path...) leaves that body on the connection: close it too, for the same reason.
  if (hasBody(c) && !c.req.raw.bodyUsed) c.header('connection', 'close');
  if (err instanceof TooManyRequestsError) {
    // RFC 9110 §10.2.3: when to try again, in seconds; the body says which limit.
    c.header('retry-after', String(err.retryAfterSeconds));
    return answer(c, 429, err.name, err.message, undefined, { ...(err.limit ? { limit: err.limit } : {}), retryAfterSeconds: err.retryAfterSeconds });
  }
  const e = err as Error & { field?: string };
  return answer(c, status, e.name, e.message, e.field);
}
