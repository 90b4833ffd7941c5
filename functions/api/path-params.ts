/**
 * Ids taken from the URL path, checked against their shape before anything is looked up: an id
 * that cannot exist is a 404 at once, and never becomes an oversized DynamoDB key.
 */
import type { Context } from 'hono';
import { NotFoundError } from '../shared/errors.js';
import { isId, shownId, type IdKind } from '../shared/ids.js';

/**
 * @example
 * const runId = pathId(c, 'runId', 'runId', 'run'); // "No run \"x\"" (404) unless it looks like a run id
 */
export function pathId(c: Context, param: string, kind: IdKind, what: string): string {
  const value = c.req.param(param) ?? '';
  if (!isId(kind, value)) throw new NotFoundError(`No ${what} ${shownId(value)}`);
  return value;
}
