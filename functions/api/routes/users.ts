/**
 * Disabling and enabling users, by admins: a disabled user's ID tokens, personal tokens and review
 * links are refused from the next request on (authorize.ts, decision-checks.ts). Each act is
 * audited with who did it and why. Their sign-in at the identity provider is the operator's to
 * stop there (Cognito: admin-disable-user; or the company IdP).
 */
import { disableUser, enableUser, listDisabledUsers } from '../../records/disabled-users.js';
import { recordAudit } from '../../records/audit.js';
import { NotFoundError, ValidationError } from '../../shared/errors.js';
import { callerIn } from '../authorize.js';
import type { RouteHandlers } from '../route-handlers.js';
import { schemas } from '../route-table.js';
import { jsonBody, parseOrThrow } from '../validate.js';

export const userRoutes: RouteHandlers<'listDisabledUsers' | 'disableUser' | 'enableUser'> = {
  listDisabledUsers: async (c) => c.json({ users: await listDisabledUsers() }),
  disableUser: async (c) => {
    const caller = callerIn(c);
    const { userId, reason } = parseOrThrow(schemas.disableUser, await jsonBody(c), 'body');
    const id = userId.toLowerCase();
    // No admin locks the door behind themselves: another admin must do it.
    if (id === caller.id) throw new ValidationError('userId: you cannot disable your own account; ask another admin', 'body.userId');
    if (!(await disableUser(id, caller.id, reason))) return c.json({ userId: id, status: 'disabled', changed: false });
    await recordAudit({ subject: 'users', type: 'user.disabled', actor: caller.id, details: { userId: id, reason } });
    return c.json({ userId: id, status: 'disabled', changed: true });
  },
  enableUser: async (c) => {
    const caller = callerIn(c);
    const id = parseOrThrow(schemas.enableUser, await jsonBody(c), 'body').userId.toLowerCase();
    if (!(await enableUser(id, caller.id))) throw new NotFoundError(`${id} is not disabled`);
    await recordAudit({ subject: 'users', type: 'user.enabled', actor: caller.id, details: { userId: id } });
    return c.json({ userId: id, status: 'enabled', changed: true });
  },
};
