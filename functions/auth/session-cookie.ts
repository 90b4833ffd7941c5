/**
 * The browser's session: an HttpOnly, SameSite=Lax cookie carrying the ID token the issuer gave at
 * sign-in (verified again on every use by id-tokens.ts), expiring when the token does. `Secure`, with
 * the `__Host-` prefix (this host only, path /), wherever the API is https; only http://localhost
 * goes without. Lax, not Strict: a reviewer arriving from an email or Slack link, and the issuer
 * sending the browser back to /auth/callback, are cross-site top-level navigations that must carry it.
 *
 * The session is read only by the pages people use (functions/api/page-session.ts), never as a
 * stand-in for `Authorization: Bearer` on the JSON API: a cookie a browser sends by itself gives a
 * cross-site form nothing to ride on there.
 *
 * While the browser is away at the issuer, a second cookie keeps the sign-in transaction (state,
 * nonce, PKCE verifier, where to return), signed with the stage's signing secret, for ten minutes.
 */
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { CookieOptions } from 'hono/utils/cookie';
import * as z from 'zod';
import { readSignedClaims, signClaims } from '../shared/signed-claims.js';
import type { SignInTransaction } from './oidc-client.js';
import { safeReturnTo } from './return-to.js';

/** How long a sign-in may take at the issuer. */
export const TRANSACTION_SECONDS = 600;
const PURPOSE = 'sign-in-transaction';

export const cookieNames = (secure: boolean) =>
  secure ? { session: '__Host-handrail-session', transaction: '__Host-handrail-sign-in' } : { session: 'handrail-session', transaction: 'handrail-sign-in' };

/** The attributes every Handrail cookie carries; `maxAge` in seconds. */
export function cookieOptions(secure: boolean, maxAge: number): CookieOptions {
  return { path: '/', httpOnly: true, sameSite: 'Lax', secure, maxAge: Math.max(0, Math.floor(maxAge)) };
}

/** Sets the session to `idToken`, until `expiresAt` (epoch seconds, the token's `exp`). */
export function setSession(c: Context, secure: boolean, idToken: string, expiresAt: number, now = Date.now()): void {
  setCookie(c, cookieNames(secure).session, idToken, cookieOptions(secure, expiresAt - now / 1000));
}

/** The session's ID token, if the browser sent one (unverified: verify before trusting it). */
export function sessionToken(c: Context, secure: boolean): string | undefined {
  const value = getCookie(c, cookieNames(secure).session);
  return value && value.length <= 8192 ? value : undefined;
}

export function clearSession(c: Context, secure: boolean): void {
  deleteCookie(c, cookieNames(secure).session, cookieOptions(secure, 0));
}

export interface PendingSignIn extends SignInTransaction {
  /** A same-origin path (return-to.ts), or undefined for the signed-in page. */
  readonly returnTo?: string;
}

const transactionSchema = z.object({
  state: z.string().min(1).max(200),
  nonce: z.string().min(1).max(200),
  codeVerifier: z.string().min(43).max(128),
  returnTo: z.string().max(2048).optional(),
  exp: z.number().int(),
});

export function setTransaction(c: Context, secure: boolean, secret: string, pending: PendingSignIn, now = Date.now()): void {
  const claims = { ...pending, exp: Math.floor(now / 1000) + TRANSACTION_SECONDS };
  setCookie(c, cookieNames(secure).transaction, signClaims(secret, PURPOSE, claims), cookieOptions(secure, TRANSACTION_SECONDS));
}

/** The pending sign-in (removed from the browser: it is used once); undefined if none, forged or expired. */
export function takeTransaction(c: Context, secure: boolean, secret: string, now = Date.now()): PendingSignIn | undefined {
  const name = cookieNames(secure).transaction;
  const value = getCookie(c, name);
  if (!value) return undefined;
  deleteCookie(c, name, cookieOptions(secure, 0));
  const claims = readSignedClaims(secret, PURPOSE, value, transactionSchema);
  if (!claims || claims.exp <= now / 1000) return undefined;
  return { state: claims.state, nonce: claims.nonce, codeVerifier: claims.codeVerifier, returnTo: safeReturnTo(claims.returnTo) };
}
