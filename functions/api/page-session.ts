/**
 * The signed-in person behind a page request: the browser's session cookie
 * (functions/auth/session-cookie.ts), its ID token verified as every ID token is (id-tokens.ts).
 * Only the HTML pages read it (the review page of a sensitive step, the sign-in pages); JSON API
 * routes take `Authorization: Bearer` and nothing else (authorize.ts).
 */
import type { Context } from 'hono';
import type { Caller } from '../auth/caller.js';
import { callerFromIdToken } from '../auth/id-tokens.js';
import { clearSession, sessionToken } from '../auth/session-cookie.js';
import { signInSettings } from '../auth/sign-in-settings.js';
import { UnauthorizedError } from '../shared/errors.js';
import type { RouteSpec } from './route-table.js';

/** The session's caller, or undefined when there is none (an expired or forged one is removed). */
export async function pageSession(c: Context, route: RouteSpec): Promise<Caller | undefined> {
  if (!route.html) throw new Error(`${route.method} ${route.path} is not a page: it takes a Bearer token, never the session cookie`);
  const { secureCookies } = signInSettings();
  const token = sessionToken(c, secureCookies);
  if (!token) return undefined;
  try {
    return await callerFromIdToken(token);
  } catch (err) {
    if (!(err instanceof UnauthorizedError)) throw err;
    clearSession(c, secureCookies);
    return undefined;
  }
}
