/**
 * The approval email for one reviewer: the request, the draft, the cited sources, the deadline
 * and that reviewer's own signed link to the review page (which is where the decision is made:
 * the email itself carries no one-click approve, so a mail scanner opening links decides nothing).
 */
import type { Reviewer } from '../../state-machines/directory.js';
import { requestContent, type RequestFacts } from './request-content.js';

export interface ApprovalEmail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly links: string[];
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export function approvalEmail(approval: RequestFacts, reviewer: Reviewer & { email: string }, reviewLink: string, inboxLink?: string): ApprovalEmail {
  const c = requestContent(approval);
  const subject = `[Handrail] ${c.title}`;
  const draftLabel = c.parts.length ? 'Parts (decide each on the review page)' : 'Draft';
  const draftText = c.parts.length ? c.parts.map((p) => `- ${p}`).join('\n') : c.draft;
  const text = [
    `Hello ${reviewer.name},`,
    '',
    `${c.title}. Please approve, edit or reject it by ${c.deadline}:`,
    reviewLink,
    '',
    'Request',
    ...c.input.map((i) => `  ${i.field}: ${i.value}`),
    '',
    draftLabel,
    draftText,
    '',
    ...(c.sources.length ? ['Sources', ...c.sources.map((s) => `  [${s.n}] ${s.title} (${s.ref})`), ''] : []),
    `Run ${approval.runId} · approval ${approval.approvalId}`,
    ...(inboxLink ? [`Everything waiting for you: ${inboxLink}`] : []),
    'This link is yours alone: do not forward it.',
  ].join('\n');
  const e = escapeHtml;
  const html = `<!doctype html><html><body style="font:15px/1.5 system-ui,sans-serif;color:#1d2330;max-width:42rem">
<h1 style="font-size:1.2rem">${e(c.title)}</h1>
<p>Hello ${e(reviewer.name)}, please approve, edit or reject this by <strong>${e(c.deadline)}</strong>.</p>
<p><a href="${e(reviewLink)}" style="display:inline-block;padding:.5rem 1rem;border-radius:6px;background:#1d4ed8;color:#fff;text-decoration:none">Open the review page</a></p>
<h2 style="font-size:1rem">Request</h2>
<table>${c.input.map((i) => `<tr><th align="left" valign="top">${e(i.field)}</th><td>${e(i.value)}</td></tr>`).join('')}</table>
<h2 style="font-size:1rem">${e(draftLabel)}</h2>
<pre style="white-space:pre-wrap;font:inherit;border-left:3px solid #d7dbe3;padding-left:1rem">${e(draftText)}</pre>
${c.sources.length ? `<h2 style="font-size:1rem">Sources</h2><ol>${c.sources.map((s) => `<li value="${s.n}">${e(s.title)} <small>(${e(s.ref)})</small></li>`).join('')}</ol>` : ''}
<p style="color:#5b6475;font-size:.85rem">Run ${e(approval.runId)} · approval ${e(approval.approvalId)}${inboxLink ? ` · <a href="${e(inboxLink)}">everything waiting for you</a>` : ''}. This link is yours alone: do not forward it.</p>
</body></html>`;
  return { to: reviewer.email, subject, text, html, links: [reviewLink] };
}
