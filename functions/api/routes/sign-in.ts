/**
 * Browser sign-in: the API as an OIDC relying party of the stage's issuer (Cognito's Hosted UI on
 * AWS, the embedded issuer locally), the same code on both.
 * GET /auth/login?returnTo=/review/… sends the browser to the issuer with a fresh state, nonce and
 * PKCE challenge, kept in a signed cookie; GET /auth/callback exchanges the code, verifies the ID
 * token, sets the session cookie and returns to `returnTo` (same-origin paths only);
 * POST /auth/logout clears it (a form from this site: its Origin is checked).
 */
import { decodeJwt } from 'jose';
import { callerFromIdToken } from '../../auth/id-tokens.js';
import { authorizationRequest, completeSignIn } from '../../auth/oidc-client.js';
import { clearSession, setSession, setTransaction, takeTransaction } from '../../auth/session-cookie.js';
import { signInSettings } from '../../auth/sign-in-settings.js';
import { recordAudit } from '../../records/audit.js';
import { ValidationError } from '../../shared/errors.js';
import { signingSecret } from '../../shared/signing-secret.js';
import type { RouteHandlers } from '../route-handlers.js';
import { schemas } from '../route-table.js';
import { requireSameOrigin } from '../same-origin.js';
import { parseOrThrow } from '../validate.js';
import { formOf } from './form-body.js';
import { signedInPage, signedOutPage } from './sign-in-pages.js';

export const signInRoutes: RouteHandlers<'signIn' | 'signInCallback' | 'signOut'> = {
  signIn: async (c) => {
    const { returnTo } = parseOrThrow(schemas.signIn, c.req.query(), 'query');
    const settings = signInSettings();
    const { url, transaction } = await authorizationRequest(settings);
    setTransaction(c, settings.secureCookies, await signingSecret(), { ...transaction, returnTo });
    return c.redirect(url.toString(), 302);
  },
  signInCallback: async (c) => {
    parseOrThrow(schemas.signInCallback, c.req.query(), 'query');
    const settings = signInSettings();
    const pending = takeTransaction(c, settings.secureCookies, await signingSecret());
    if (!pending) throw new ValidationError('state: this sign-in has expired or was started in another browser; open your link again to sign in', 'state');
    const { idToken } = await completeSignIn(settings, new URL(c.req.url), pending);
    // The one verifier of ID tokens (signature, issuer, audience, expiry, email) decides who this is.
    const caller = await callerFromIdToken(idToken);
    setSession(c, settings.secureCookies, idToken, decodeJwt(idToken).exp!);
    await recordAudit({ subject: 'access', type: 'access.signed_in', actor: caller.id, details: { returnTo: pending.returnTo?.replace(/^\/(review|inbox)\/.*/, '/$1/…') ?? null } });
    return pending.returnTo ? c.redirect(pending.returnTo, 303) : c.html(signedInPage(caller.id));
  },
  signOut: async (c) => {
    requireSameOrigin(c);
    const { returnTo } = parseOrThrow(schemas.signOut, await formOf(c), 'form');
    clearSession(c, signInSettings().secureCookies);
    return c.html(signedOutPage(returnTo));
  },
};
