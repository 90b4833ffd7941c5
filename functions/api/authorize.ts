/**
 * Who is calling, and may they: the access a route declares (route-table.ts) checked before its
 * handler runs. `roles` routes take `Authorization: Bearer <token>`: an identity provider's ID token
 * (three dot-separated parts, functions/auth/id-tokens.ts) or a reviewer's personal API token (two
 * parts, the `reviewer` role for that reviewer). The other kinds carry their own proof, which their
 * handler verifies first (a signed link, Slack's signature, the workflow's trigger).
 * A known caller refused by role is audited (`access.denied`); a missing or bad token is a 401, and
 * so is a valid token of a disabled user (records/disabled-users.ts), from the moment they are
 * disabled. Link routes check the link's reviewer the same way ({@link assertActive}).
 */
import type { Context, MiddlewareHandler } from 'hono';
import { verifyReviewerToken } from '../approvals/reviewer-tokens.js';
import { bearerToken } from '../auth/bearer.js';
import { hasRole, type Caller } from '../auth/caller.js';
import { callerFromIdToken } from '../auth/id-tokens.js';
import { recordAudit } from '../records/audit.js';
import type { AccountStanding } from '../records/disabled-users.js';
import { ForbiddenError, UnauthorizedError } from '../shared/errors.js';
import { logger } from '../shared/logger.js';
import { signingSecret } from '../shared/signing-secret.js';
import { pageSession } from './page-session.js';
import type { RouteSpec } from './route-table.js';
import { signInPath } from './routes/sign-in-pages.js';

const CALLER = 'handrail.caller';
const ACCOUNT_CHECK = 'handrail.accountCheck';

/**
 * Whether a user's account (and the personal token they used, if any) still counts: the store's
 * answer (records/disabled-users.ts accountStanding) unless the app is built with another.
 */
export type AccountCheck = (userId: string, personalTokenId?: string) => Promise<AccountStanding>;

/** The caller a bearer token proves, once their account and token are known to stand. */
async function callerOf(c: Context, standing: AccountCheck): Promise<Caller> {
  const token = bearerToken(c.req.header('authorization'));
  let caller: Caller;
  if (token.split('.').length === 3) caller = await callerFromIdToken(token);
  else {
    const personal = verifyReviewerToken(await signingSecret(), token);
    caller = { id: personal.reviewer, roles: ['reviewer'], via: 'reviewer-token', tokenId: personal.tokenId };
  }
  const state = await standing(caller.id, caller.tokenId);
  if (state === 'token_revoked') throw new UnauthorizedError(`The reviewer token ${caller.tokenId} was revoked`);
  if (state === 'disabled') throw new UnauthorizedError(`The account ${caller.id} is disabled; its tokens no longer work (an admin can enable it)`);
  return caller;
}

export function authorize(route: RouteSpec, standing: AccountCheck): MiddlewareHandler {
  const { access } = route;
  if (access.kind === 'console') {
    // A console page: the browser's session, never a bearer token; none yet → sign in and come back.
    return async (c, next) => {
      const caller = await pageSession(c, route);
      if (!caller) return c.redirect(signInPath(`${c.req.path}${new URL(c.req.url).search}`), 302);
      if ((await standing(caller.id)) !== 'active') throw new UnauthorizedError(`The account ${caller.id} is disabled; sign in with another account (an admin can enable it)`);
      if (!hasRole(caller, ...access.roles)) {
        throw await refused(caller, route, new ForbiddenError(`This page is for the role ${access.roles.join(' or ')}; ${caller.id} has ${caller.roles.join(', ') || 'none'}`));
      }
      c.set(CALLER as never, caller as never);
      await next();
    };
  }
  if (access.kind !== 'roles') {
    return async (c, next) => {
      c.set(ACCOUNT_CHECK as never, standing as never);
      await next();
    };
  }
  return async (c, next) => {
    const caller = await callerOf(c, standing);
    if (!hasRole(caller, ...access.roles)) {
      throw await refused(caller, route, new ForbiddenError(`${route.method} ${route.path} takes the role ${access.roles.join(' or ')}; ${caller.id} has ${caller.roles.join(', ') || 'none'}`));
    }
    c.set(CALLER as never, caller as never);
    await next();
  };
}

/**
 * Audits a refusal (`access.denied`: who, which route, why) and returns the error to throw. The
 * refusal stands even if its audit event cannot be written (then it is logged).
 */
export async function refused(caller: Caller, route: Pick<RouteSpec, 'method' | 'path'>, error: ForbiddenError): Promise<ForbiddenError> {
  const where = `${route.method} ${route.path}`;
  await recordAudit({ subject: 'access', type: 'access.denied', actor: caller.id, details: { route: where, reason: error.message } }).catch((err: unknown) =>
    logger.error('access refusal not audited', { route: where, caller: caller.id, error: err as Error }),
  );
  return error;
}

/** A link's reviewer may use it only while their account is enabled. @throws ForbiddenError */
export async function assertActive(c: Context, userId: string): Promise<void> {
  const standing = c.get(ACCOUNT_CHECK as never) as AccountCheck | undefined;
  if (!standing) throw new Error('assertActive needs the authorize middleware on its route');
  if ((await standing(userId)) !== 'active') throw new ForbiddenError(`The account ${userId} is disabled; its links no longer work.`);
}

/** The caller `authorize` admitted (routes with `roles` or `console` access only). */
export function callerIn(c: Context): Caller {
  const caller = c.get(CALLER as never) as Caller | undefined;
  if (!caller) throw new UnauthorizedError('This route needs a signed-in caller');
  return caller;
}
