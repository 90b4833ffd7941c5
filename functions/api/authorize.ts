/**
 * Who is calling, and may they: the access a route declares (route-table.ts) checked before its
 * handler runs. `roles` routes take `Authorization: Bearer <token>`: an identity provider's ID token
 * (three dot-separated parts, functions/auth/id-tokens.ts) or a reviewer's personal API token (two
 * parts, the `reviewer` role for that reviewer). The other kinds carry their own proof, which their
 * handler verifies first (a signed link, Slack's signature, the workflow's trigger).
 * A known caller refused by role is audited (`access.denied`); a missing or bad token is a 401.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { verifyReviewerToken } from '../approvals/reviewer-tokens.js';
import { bearerToken } from '../auth/bearer.js';
import { hasRole, type Caller } from '../auth/caller.js';
import { callerFromIdToken } from '../auth/id-tokens.js';
import { isPersonalTokenRevoked } from '../records/api-keys.js';
import { recordAudit } from '../records/audit.js';
import { ForbiddenError, UnauthorizedError } from '../shared/errors.js';
import { logger } from '../shared/logger.js';
import { signingSecret } from '../shared/signing-secret.js';
import type { RouteSpec } from './route-table.js';

const CALLER = 'handrail.caller';

async function callerOf(c: Context): Promise<Caller> {
  const token = bearerToken(c.req.header('authorization'));
  if (token.split('.').length === 3) return callerFromIdToken(token);
  const personal = verifyReviewerToken(await signingSecret(), token);
  if (await isPersonalTokenRevoked(personal.tokenId)) throw new UnauthorizedError(`The reviewer token ${personal.tokenId} was revoked`);
  return { id: personal.reviewer, roles: ['reviewer'], via: 'reviewer-token', tokenId: personal.tokenId };
}

export function authorize(route: RouteSpec): MiddlewareHandler {
  const { access } = route;
  if (access.kind !== 'roles') return async (_c, next) => next();
  return async (c, next) => {
    const caller = await callerOf(c);
    if (!hasRole(caller, ...access.roles)) {
      const reason = `${route.method} ${route.path} takes the role ${access.roles.join(' or ')}; ${caller.id} has ${caller.roles.join(', ') || 'none'}`;
      // The refusal stands even if its audit event cannot be written (then it is logged).
      await recordAudit({ subject: 'access', type: 'access.denied', actor: caller.id, details: { route: `${route.method} ${route.path}`, reason } }).catch((err: unknown) =>
        logger.error('access refusal not audited', { route: `${route.method} ${route.path}`, caller: caller.id, error: err as Error }),
      );
      throw new ForbiddenError(reason);
    }
    c.set(CALLER as never, caller as never);
    await next();
  };
}

/** The caller `authorize` admitted (routes with `roles` access only). */
export function callerIn(c: Context): Caller {
  const caller = c.get(CALLER as never) as Caller | undefined;
  if (!caller) throw new UnauthorizedError('This route needs a signed-in caller');
  return caller;
}
