/**
 * Personal API tokens (functions/approvals/reviewer-tokens.ts): a signed-in reviewer makes one for
 * themselves, with an expiry; a token is revoked on its own, by whoever holds it (presenting it) or
 * by an admin (by its id). Each act is audited.
 */
import { issueReviewerToken, verifyReviewerToken } from '../../approvals/reviewer-tokens.js';
import { hasRole } from '../../auth/caller.js';
import { revokePersonalToken } from '../../records/api-keys.js';
import { recordAudit } from '../../records/audit.js';
import { ForbiddenError, NotFoundError } from '../../shared/errors.js';
import { signingSecret } from '../../shared/signing-secret.js';
import { callerIn } from '../authorize.js';
import type { RouteHandlers } from '../route-handlers.js';
import { schemas } from '../route-table.js';
import { jsonBody, parseOrThrow } from '../validate.js';

export const personalTokenRoutes: RouteHandlers<'createPersonalToken' | 'revokePersonalToken'> = {
  createPersonalToken: async (c) => {
    const caller = callerIn(c);
    // A personal token may not make more of itself: new ones come from a sign-in with the identity provider.
    if (caller.via !== 'id-token') throw new ForbiddenError('Make personal tokens after signing in with your identity provider, not with another personal token');
    const { days } = parseOrThrow(schemas.createPersonalToken, await jsonBody(c), 'body');
    const { token, tokenId, expiresAt } = issueReviewerToken(await signingSecret(), caller.id, { days });
    await recordAudit({ subject: 'personal-tokens', type: 'personal_token.created', actor: caller.id, details: { tokenId, expiresAt: new Date(expiresAt * 1000).toISOString() } });
    return c.json({ token, tokenId, reviewer: caller.id, expiresAt: new Date(expiresAt * 1000).toISOString(), note: 'This is the only time the token is shown.' }, 201);
  },
  revokePersonalToken: async (c) => {
    const caller = callerIn(c);
    const body = parseOrThrow(schemas.revokePersonalToken, await jsonBody(c), 'body');
    let tokenId: string;
    let owner: string;
    if ('token' in body) {
      ({ tokenId, reviewer: owner } = verifyReviewerToken(await signingSecret(), body.token));
    } else {
      // By id: an admin's act, or the caller's own token (the one they signed in with).
      if (!hasRole(caller, 'admin') && body.tokenId !== caller.tokenId) throw new ForbiddenError('Revoke a token by its id only as an admin; otherwise send the token itself');
      tokenId = body.tokenId;
      owner = body.tokenId === caller.tokenId ? caller.id : 'unknown';
    }
    if (!(await revokePersonalToken(tokenId, owner, caller.id))) throw new NotFoundError(`Token ${tokenId} is already revoked`);
    await recordAudit({ subject: 'personal-tokens', type: 'personal_token.revoked', actor: caller.id, details: { tokenId, owner } });
    return c.json({ tokenId, status: 'revoked' });
  },
};
