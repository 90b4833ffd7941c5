/**
 * The one stylesheet of the review and inbox pages, and its hash: the pages' Content-Security-Policy
 * allows this exact text and no other style (api/security-headers.ts), so the pages carry no
 * `style="…"` attribute and no other `<style>`: an injected one would not apply.
 */
import { createHash } from 'node:crypto';
import { html, raw } from 'hono/html';

const CSS = `
  body{font:15px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1d2330}
  h1{font-size:1.4rem} .card{border:1px solid #d7dbe3;border-radius:8px;padding:1rem;margin:1rem 0}
  textarea{width:100%;min-height:14rem;font:inherit} .meta{color:#5b6475;font-size:.9rem} pre{white-space:pre-wrap}
  button{font:inherit;padding:.5rem 1rem;margin-right:.5rem;border-radius:6px;border:1px solid #8a93a6;cursor:pointer}
  .approve{background:#e3f5e8} .reject{background:#fbe5e5} .edit{background:#e6eefc} .notice{padding:1rem;border-radius:8px;background:#f3f4f7}
`;

/** The `<style>` element every page's head carries. */
export const pageStyle = html`<style>${raw(CSS)}</style>`;

/** The CSP source that allows exactly that element, e.g. `'sha256-…'`. */
export const PAGE_STYLE_SOURCE = `'sha256-${createHash('sha256').update(CSS, 'utf8').digest('base64')}'`;
