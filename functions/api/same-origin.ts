/**
 * A state-changing form that relies on the browser's session cookie is accepted only from this
 * API's own pages: its `Origin` must be the API's (the origin of its sign-in callback URL). Browsers
 * send `Origin` with every POST; a request without one, or from another site, is refused (403).
 */
import type { Context } from 'hono';
import { signInSettings } from '../auth/sign-in-settings.js';
import { ForbiddenError } from '../shared/errors.js';

export function requireSameOrigin(c: Context): void {
  const expected = new URL(signInSettings().redirectUri).origin;
  const origin = c.req.header('origin');
  if (origin !== expected) throw new ForbiddenError(`This form is accepted only from ${expected}'s own pages (Origin: ${origin ? origin.slice(0, 100) : 'none'})`);
}
