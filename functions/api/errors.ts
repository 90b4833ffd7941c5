/** Maps typed errors to HTTP answers: 4xx with a message that names the field, never a stack. */
import type { Context } from 'hono';
import { ConflictError, ForbiddenError, NotFoundError, UnauthorizedError, ValidationError } from '../shared/errors.js';
import { logger } from '../shared/logger.js';

export function statusFor(err: unknown): 400 | 401 | 403 | 404 | 409 | 500 {
  if (err instanceof ValidationError) return 400;
  if (err instanceof UnauthorizedError) return 401;
  if (err instanceof ForbiddenError) return 403;
  if (err instanceof NotFoundError) return 404;
  if (err instanceof ConflictError) return 409;
  return 500;
}

export function errorResponse(err: unknown, c: Context) {
  const status = statusFor(err);
  if (status === 500) {
    logger.error('request failed', { path: c.req.path, error: err as Error });
    return c.json({ error: { code: 'InternalError', message: 'Something went wrong on our side; the request can be retried.' } }, 500);
  }
  const e = err as Error & { field?: string };
  return c.json({ error: { code: e.name, message: e.message, ...(e.field ? { field: e.field } : {}) } }, status);
}
