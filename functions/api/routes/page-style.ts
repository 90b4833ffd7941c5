/**
 * The one stylesheet of every page (the console, the review and inbox pages), and its hash: the pages' Content-Security-Policy
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
  body.console{max-width:72rem;margin:0 auto}
  .bar{display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:center;padding:.75rem 0;border-bottom:1px solid #d7dbe3;margin-bottom:1rem}
  .bar .brand{font-weight:700;margin-right:.5rem} .bar a{color:#1d4ed8;text-decoration:none} .bar a[aria-current]{font-weight:700;color:#1d2330}
  .bar .who{margin-left:auto;color:#5b6475;font-size:.9rem} .bar form{display:inline} .bar button{padding:.2rem .6rem;font-size:.85rem}
  table{border-collapse:collapse;width:100%;font-size:.92rem} th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #e5e8ee;vertical-align:top}
  th{color:#5b6475;font-weight:600} td a{color:#1d4ed8} .scroll{overflow-x:auto}
  .filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:end;margin:1rem 0}
  .filters label{display:flex;flex-direction:column;font-size:.85rem;color:#5b6475} .filters input,.filters select{font:inherit;padding:.3rem;min-width:9rem}
  .badge{display:inline-block;padding:.05rem .5rem;border-radius:1rem;font-size:.8rem;background:#eef0f4;white-space:nowrap}
  .s-delivered,.s-completed,.s-approved,.s-succeeded{background:#e3f5e8} .s-needs_human,.s-delivery_failed,.s-failed,.s-start_failed,.s-rejected{background:#fbe5e5}
  .s-awaiting_approval,.s-pending,.s-running{background:#fff4d6} .s-edited{background:#e6eefc}
  .timeline{list-style:none;padding:0;margin:0;border-left:2px solid #d7dbe3}
  .timeline>li{position:relative;margin:0 0 1rem 1rem;padding:.5rem .75rem;border:1px solid #e5e8ee;border-radius:8px}
  .timeline>li::before{content:"";position:absolute;left:-1.45rem;top:.9rem;width:.6rem;height:.6rem;border-radius:50%;background:#8a93a6}
  .timeline .when{color:#5b6475;font-size:.85rem} details{margin:.25rem 0} summary{cursor:pointer;color:#1d4ed8}
  pre.json{background:#f6f7f9;padding:.5rem;border-radius:6px;font-size:.85rem;max-height:24rem;overflow:auto}
  .diff .add{background:#e3f5e8} .diff .del{background:#fbe5e5} .diff span{display:block;white-space:pre-wrap;font-family:ui-monospace,monospace;font-size:.85rem}
  .alert{padding:1rem;border-radius:8px;background:#fbe5e5;margin:1rem 0} .pager{margin:1rem 0}
  h1,pre,code,.meta,.alert,.timeline>li{overflow-wrap:anywhere}
  .svg-chart{width:100%;height:auto;display:block} .card h2{font-size:1.05rem;margin-top:0}
  .legend{list-style:none;display:flex;flex-wrap:wrap;gap:.25rem 1rem;padding:0;margin:.25rem 0;font-size:.85rem;color:#5b6475}
  .why{background:#fff8e6;border-left:4px solid #e0a100;border-radius:8px;padding:.5rem 1rem;margin:1rem 0} .why h2{font-size:1rem;margin:.25rem 0}
  .why ul,.why-list{margin:.25rem 0;padding-left:1.2rem} .why-list{font-size:.9rem} .inbox{list-style:none;padding:0} li .badge{white-space:normal}
  .review{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:0 1.25rem;align-items:start}
  .draft-text{white-space:pre-wrap;overflow-wrap:anywhere;background:#fbfcfe;border:1px solid #e5e8ee;border-radius:6px;padding:.75rem}
  .cite{font-size:.85em} .cite a{font-weight:600;color:#1d4ed8}
  .sources{padding:0;list-style:none;margin:.25rem 0} .source{margin:.5rem 0;padding:.25rem .75rem;border-left:3px solid #d7dbe3;overflow-wrap:anywhere}
  .source p{margin:.25rem 0} .source.cited{border-left-color:#2f9e58;background:#f3fbf5} .source:target{outline:2px solid #1d4ed8}
  dl.fields{margin:0} dl.fields dt{font-weight:600;font-size:.85rem;color:#5b6475} dl.fields dd{margin:0 0 .5rem;overflow-wrap:anywhere}
  textarea{box-sizing:border-box;margin-top:.5rem} details.edit-draft{margin:.75rem 0}
  .reason{display:flex;flex-wrap:wrap;gap:.5rem 1rem;margin:.75rem 0} .reason label{display:flex;flex-direction:column;font-size:.9rem}
  .reason input,.reason select{font:inherit;padding:.3rem;min-width:12rem} .actions{display:flex;flex-wrap:wrap;gap:.5rem} .actions button{margin:0}
  kbd{border:1px solid #c4c9d4;border-radius:4px;padding:0 .3rem;font-size:.8rem;background:#f6f7f9} .keys{margin-top:.75rem}
  :focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}
  @media (max-width:48rem){.review{grid-template-columns:minmax(0,1fr)}}
  @media (max-width:40rem){body{margin:1rem auto} .bar .who{margin-left:0;width:100%} th,td{padding:.3rem} .actions button{flex:1 1 100%;padding:.75rem} .keys{display:none}}
`;

/** The `<style>` element every page's head carries. */
export const pageStyle = html`<style>${raw(CSS)}</style>`;

/** The CSP source that allows exactly that element, e.g. `'sha256-…'`. */
export const PAGE_STYLE_SOURCE = `'sha256-${createHash('sha256').update(CSS, 'utf8').digest('base64')}'`;
