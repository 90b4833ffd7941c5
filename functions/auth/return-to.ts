/**
 * Where a browser may be sent back to after signing in: a path on this API, never another site
 * (no open redirect). Anything else falls back to the sign-in confirmation page.
 */

/** Longest `returnTo` kept: a review link's path is about 250 characters. */
const MAX_RETURN_TO = 2048;

/**
 * `value` if it is a same-origin path (`/review/…?x=1`), else undefined: absolute URLs,
 * scheme-relative `//host`, backslashes (`/\host`, which browsers read as `//host`), control
 * characters and anything that resolves to another origin are refused.
 *
 * @example
 * safeReturnTo('/review/abc') // '/review/abc'
 * safeReturnTo('https://evil.example/') // undefined
 */
export function safeReturnTo(value: string | undefined | null): string | undefined {
  if (!value || value.length > MAX_RETURN_TO) return undefined;
  if (!value.startsWith('/') || value.startsWith('//')) return undefined;
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f\u007f]/.test(value)) return undefined;
  const base = 'http://handrail.invalid';
  let resolved: URL;
  try {
    resolved = new URL(value, base);
  } catch {
    return undefined;
  }
  if (resolved.origin !== base) return undefined;
  return `${resolved.pathname}${resolved.search}`;
}
