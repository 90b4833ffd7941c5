/**
 * A state-changing form that relies on the browser's session cookie is accepted only from this
 * API's own pages. Browsers say where a POST comes from: `Origin`, which must be the API's (the
 * origin of its sign-in callback URL) — except that the pages' `Referrer-Policy: no-referrer`
 * (review URLs are capabilities) makes them send `Origin: null`; then Fetch Metadata's
 * `Sec-Fetch-Site: same-origin`, which a page cannot forge, decides. A request with neither, or
 * from another site, is refused (403).
 */
import type { Context } from 'hono';
import { signInSettings } from '../auth/sign-in-settings.js';
import { ForbiddenError } from '../shared/errors.js';

/** Whether the browser says this request comes from a page of `expectedOrigin`. */
export function fromOwnPage(c: Context, expectedOrigin: string): boolean {
  const origin = c.req.header('origin');
  if (origin && origin !== 'null') return origin === expectedOrigin;
  return c.req.header('sec-fetch-site') === 'same-origin';
}

export function requireSameOrigin(c: Context): void {
  const expected = new URL(signInSettings().redirectUri).origin;
  if (!fromOwnPage(c, expected)) {
    const origin = c.req.header('origin');
    throw new ForbiddenError(`This form is accepted only from ${expected}'s own pages (Origin: ${origin ? origin.slice(0, 100) : 'none'}, Sec-Fetch-Site: ${c.req.header('sec-fetch-site')?.slice(0, 20) ?? 'none'})`);
  }
}
