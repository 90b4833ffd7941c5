/**
 * Security headers on every answer of the API, through Hono's own `secureHeaders`, with one of two
 * policies chosen by what the answer is:
 * - HTML (the review and inbox pages, and their error pages): a Content-Security-Policy that allows
 *   the pages' one stylesheet by its hash and forms that post back to the page, nothing else (no
 *   script, image, font, frame or connection at all);
 * - everything else (JSON, the local outbox's .eml): `default-src 'none'`, so an answer opened in a
 *   browser is inert.
 * Both: no Referer ever (review and inbox URLs are capability tokens), never framed, no MIME
 * sniffing, HSTS (browsers ignore it over plain http on localhost), and `Cache-Control: no-store`
 * unless a route chose its own: the pages and most JSON answers carry customer data, and nothing
 * the API says is worth a cached copy on a shared machine or proxy.
 *
 * @example
 * app.use('*', securityHeaders());
 */
import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { PAGE_STYLE_SOURCE } from './routes/page-style.js';

type SecureHeadersOptions = NonNullable<Parameters<typeof secureHeaders>[0]>;
type CspOptions = NonNullable<SecureHeadersOptions['contentSecurityPolicy']>;

/** What the pages use: their stylesheet (by hash) and forms posting to themselves. */
export const PAGE_CSP: CspOptions = {
  defaultSrc: ["'none'"],
  styleSrc: [PAGE_STYLE_SOURCE],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
};

/** An answer that is data: nothing in it may load or run anything, nor be framed. */
export const DATA_CSP: CspOptions = {
  defaultSrc: ["'none'"],
  frameAncestors: ["'none'"],
};

const common: SecureHeadersOptions = {
  referrerPolicy: 'no-referrer',
  xFrameOptions: 'DENY',
  xContentTypeOptions: 'nosniff',
  strictTransportSecurity: 'max-age=31536000; includeSubDomains',
  permissionsPolicy: { camera: [], microphone: [], geolocation: [], payment: [], usb: [] },
};

const forPages = secureHeaders({ ...common, contentSecurityPolicy: PAGE_CSP });
const forData = secureHeaders({ ...common, contentSecurityPolicy: DATA_CSP });
const answered = async () => undefined;

/**
 * Decides after the route answered (error pages and 404s included: the app's error and not-found
 * handlers have run by then), so the policy follows the answer's content type, not its path.
 */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const isHtml = /^text\/html\b/i.test(c.res.headers.get('content-type') ?? '');
    await (isHtml ? forPages : forData)(c, answered);
    if (!c.res.headers.has('cache-control')) c.res.headers.set('cache-control', 'no-store');
  };
}
