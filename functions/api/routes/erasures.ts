/**
 * POST /erasures (`npx handrail erase --subject <email>`): admins erase a person's email address
 * from the stage's records (functions/erasure/erase-subject.ts) and get the counts back.
 */
import { eraseSubject } from '../../erasure/erase-subject.js';
import { callerIn } from '../authorize.js';
import type { RouteHandlers } from '../route-handlers.js';
import { schemas } from '../route-table.js';
import { jsonBody, parseOrThrow } from '../validate.js';

export const erasureRoutes: RouteHandlers<'eraseSubject'> = {
  eraseSubject: async (c) => {
    const { subject, reason } = parseOrThrow(schemas.eraseSubject, await jsonBody(c), 'body');
    return c.json(await eraseSubject({ email: subject, reason, erasedBy: callerIn(c).id }));
  },
};
