/**
 * The reviewer's page, in the console's look and built for the decision: the draft (its citation
 * marks linked to the passages they cite) and the decision form first; beside it, on a wide screen,
 * the request and the sources, the cited passages marked and first; above both, why this request
 * is with this reviewer (gate failures, classification, route path, autonomy) at a glance. Keyboard
 * first (access keys: D opens the draft to edit, A / E / R decide; visible focus), one column on a phone, no
 * script: the strict page policy allows the one stylesheet and nothing else.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { proposalDiff } from '../../approvals/edit-diff.js';
import { CITATION_MARKS } from '../../gateway/prompt.js';
import type { ApprovalRecord } from '../../records/approvals.js';
import { pageStyle } from './page-style.js';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** `bar`: what the page's top bar says besides the brand (the reviewer, a link to their inbox). */
export function page(title: string, body: unknown, bar: unknown = '') {
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer"><title>${title} · Handrail</title>${pageStyle}</head><body class="console"><nav class="bar" aria-label="Handrail"><span class="brand">Handrail</span>${bar}</nav><main>${body}</main></body></html>`;
}

export function messagePage(title: string, message: string, bar: unknown = '') {
  return page(title, html`<h1>${title}</h1><p class="notice">${message}</p>`, bar);
}

/** The bar of a reviewer's pages: their inbox (when a link to it is given), and who they are. */
export function reviewerBar(reviewer: string, inboxHref?: string, current?: 'inbox') {
  const inbox = inboxHref ? (current === 'inbox' ? html`<a href="${inboxHref}" aria-current="page">Inbox</a>` : html`<a href="${inboxHref}">Inbox</a>`) : '';
  return html`${inbox}<span class="who">${reviewer}</span>`;
}

/** How long until `deadline`, as a person reads it. */
export function timeLeft(deadline: string, now = Date.now()): string {
  const minutes = Math.round((Date.parse(deadline) - now) / 60_000);
  if (minutes < 0) return 'overdue';
  return minutes >= 120 ? `${Math.round(minutes / 60)} h left` : `${minutes} min left`;
}

/** Why the request is with a person: failed gates, what the classifiers found, the route path, autonomy. */
export function routedBecause(approval: ApprovalRecord): Html[] {
  const why: Html[] = [];
  for (const f of approval.qualityFailures ?? []) why.push(html`<li class="gate"><strong>${f.gate.replace(/_/g, ' ')}</strong>: ${f.detail}</li>`);
  if (approval.classification?.length) why.push(html`<li>Classified ${approval.classification.map((c) => html`<span class="badge">${c}</span> `)}</li>`);
  if (approval.routeKey) why.push(html`<li>Route path <code>${approval.routeKey}</code></li>`);
  const autonomy = approval.autonomy;
  if (autonomy && autonomy.status !== 'not_eligible') {
    why.push(html`<li>Autonomy: ${autonomy.status.replace(/_/g, ' ')}${autonomy.category ? html` (${autonomy.category})` : ''}</li>`);
  }
  if (approval.level > 0) why.push(html`<li>Escalated to level ${approval.level + 1}: the first reviewers did not decide in time</li>`);
  return why;
}

/** The draft as text, each citation mark a link to the source it cites (marks naming no source stay text). */
function draftWithMarks(text: string, sources: readonly { n: number }[]) {
  const known = new Set(sources.map((s) => s.n));
  const parts: unknown[] = [];
  let at = 0;
  for (const match of text.matchAll(CITATION_MARKS)) {
    const ns = match[1]!.split(',').map((n) => Number(n.trim()));
    if (!ns.some((n) => known.has(n))) continue;
    parts.push(text.slice(at, match.index));
    parts.push(html`<span class="cite">[${ns.map((n, i) => html`${i ? ', ' : ''}${known.has(n) ? html`<a href="#source-${n}">${n}</a>` : n}`)}]</span>`);
    at = match.index! + match[0].length;
  }
  parts.push(text.slice(at));
  return html`<div class="draft-text">${parts}</div>`;
}

/** The request's fields, then the sources: cited ones first and marked, the rest folded away. */
function aside(approval: ApprovalRecord, cited: ReadonlySet<number>) {
  const source = (s: ApprovalRecord['sources'][number]) =>
    html`<li id="source-${s.n}" class="source${cited.has(s.n) ? ' cited' : ''}"><p><strong>[${s.n}] ${s.title}</strong>${cited.has(s.n) ? html` <span class="badge s-approved">cited</span>` : ''}</p>
      <p class="meta">${s.docId} v${s.version} · ${s.passageId}</p><p>${s.text}</p></li>`;
  const used = approval.sources.filter((s) => cited.has(s.n));
  const unused = approval.sources.filter((s) => !cited.has(s.n));
  return html`<aside class="context">
    <section class="card"><h2>Request</h2><dl class="fields">${Object.entries(approval.input).map(([k, v]) => html`<dt>${k}</dt><dd>${typeof v === 'string' ? v : JSON.stringify(v)}</dd>`)}</dl></section>
    <section class="card"><h2>Sources</h2>${
      approval.sources.length
        ? html`${used.length ? html`<ol class="sources">${used.map(source)}</ol>` : html`<p class="meta">The draft cites none of them.</p>`}
          ${unused.length ? html`<details${used.length ? '' : ' open'}><summary>${unused.length} more passage(s) found, not cited</summary><ol class="sources">${unused.map(source)}</ol></details>` : ''}`
        : html`<p>No knowledge-base passage matched this request.</p>`
    }</section>
  </aside>`;
}

/** `signedIn`: a sensitive step's page, shown to its reviewer signed in (routes/review.ts checked). */
export function reviewPage(approval: ApprovalRecord, reviewer: string, signedIn = false, inboxHref?: string) {
  const decided = approval.status !== 'pending';
  const why = routedBecause(approval);
  const cited = new Set([...approval.draft.citations, ...(approval.items ?? []).flatMap((i) => i.draft.citations)]);
  return page(
    `Review ${approval.stepId}`,
    html`<h1>${approval.workflowId} / ${approval.stepId} <span class="badge s-${approval.status}">${approval.status}</span></h1>
      <p class="meta">${decided ? '' : html`<strong>${timeLeft(approval.deadline)}</strong> · decide by <time datetime="${approval.deadline}">${approval.deadline.slice(0, 16).replace('T', ' ')} UTC</time> · `}run ${approval.runId} · draft by ${approval.draft.provider} (${approval.draft.model})${approval.releaseId ? html` · release ${approval.releaseId}` : ''}</p>
      ${signedIn ? html`<p class="notice"><strong>Sensitive step</strong>: you are signed in as <strong>${reviewer}</strong>.</p>` : ''}
      ${why.length ? html`<section class="why" aria-label="Why this is with you"><h2>Why this is with you</h2><ul>${why}</ul></section>` : ''}
      <div class="review">
        <div class="decision">${decided ? decidedView(approval) : approval.items ? itemForms(approval, reviewer) : decisionForm(approval)}</div>
        ${aside(approval, cited)}
      </div>`,
    reviewerBar(reviewer, inboxHref),
  );
}

function decidedView(approval: ApprovalRecord) {
  return html`<p class="notice">This approval is <strong>${approval.status}</strong>${approval.decision ? html` by ${approval.decision.reviewer} at ${approval.decision.decidedAt}` : ''}. Nothing more to do.</p>
    <section class="card"><h2>Draft</h2><pre>${approval.finalText ?? approval.draft.text}</pre></section>`;
}

function reasonFields(reasons: string[]) {
  return html`<div class="reason"><label>Reason <span class="meta">(to edit or reject)</span>
      <select name="reasonCode"><option value="">—</option>${reasons.map((r) => html`<option value="${r}">${r.replace(/_/g, ' ')}</option>`)}</select></label>
      <label>Note <input name="reason"></label></div>`;
}

function buttons() {
  return html`<div class="actions"><button class="approve" name="action" value="approve" accesskey="a">Approve as drafted</button>
    <button class="edit" name="action" value="edit" accesskey="e">Send my edit</button>
    <button class="reject" name="action" value="reject" accesskey="r">Reject</button></div>
    <p class="meta keys">Keys: <kbd>Tab</kbd> moves between fields; access keys <kbd>D</kbd> opens the draft for editing, <kbd>A</kbd> approves, <kbd>E</kbd> sends the edit, <kbd>R</kbd> rejects (with your browser's access-key modifier, e.g. <kbd>Alt</kbd>).</p>`;
}

/** One draft to decide: read it with its marks, edit it in place if needed, decide. */
function draftForm(label: string, draft: { text: string }, sources: ApprovalRecord['sources'], hidden: Html, reasons: string[], notice: Html | '' = '') {
  return html`<form method="post" class="card">
    <h2>${label}</h2>
    ${notice}
    ${draftWithMarks(draft.text, sources)}
    <details class="edit-draft"><summary accesskey="d">Edit the draft</summary><textarea name="text" aria-label="${label}">${draft.text}</textarea></details>
    ${hidden}
    ${reasonFields(reasons)} ${buttons()}
  </form>`;
}

function decisionForm(approval: ApprovalRecord) {
  const hidden = html`<input type="hidden" name="draftHash" value="${approval.draftHash}">`;
  if (approval.proposal) return proposalForm(approval, approval.proposal, hidden);
  return draftForm('Draft', approval.draft, approval.sources, hidden, approval.reasons);
}

/** One line of a unified diff, marked as added, removed or context. */
function diffLine(line: string) {
  const cls = line.startsWith('@@') ? 'hunk' : line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : 'ctx';
  return html`<span class="${cls}">${line || ' '}</span>`;
}

/**
 * A proposed knowledge edit, for the document's owner: what changes against the current version (a
 * unified diff, added lines marked + and removed lines -), then the whole proposed document to edit.
 */
function proposalForm(approval: ApprovalRecord, proposal: NonNullable<ApprovalRecord['proposal']>, hidden: Html) {
  // The patch's own header (Index, ===, ---, +++) says nothing the heading does not.
  const diff = proposalDiff(proposal, approval.draft.text).split('\n').slice(4).filter((l, i, all) => i < all.length - 1 || l !== '');
  const what = proposal.baseVersion
    ? html`a new version of <strong>${proposal.title}</strong> (<code>${proposal.collection}/${proposal.docId}</code>, now v${proposal.baseVersion})`
    : html`a new document <strong>${proposal.title}</strong> (<code>${proposal.collection}/${proposal.docId}</code>)`;
  return html`<form method="post" class="card">
    <h2>Proposed knowledge edit</h2>
    <p class="meta">Approving writes ${what}, authored by you. The current version is left as it is; its history keeps every version.</p>
    <section aria-label="Changes against the current version"><h3>Changes</h3><div class="diff">${diff.length ? diff.map(diffLine) : html`<p class="meta">No change: the proposal is the current version.</p>`}</div></section>
    <details class="edit-draft"><summary accesskey="d">Edit the proposed document</summary><textarea name="text" aria-label="Proposed document">${approval.draft.text}</textarea></details>
    ${hidden}
    ${reasonFields(approval.reasons)} ${buttons()}
  </form>`;
}

/** Multi-part: one form per part; the reviewer decides the parts that are theirs. */
function itemForms(approval: ApprovalRecord, reviewer: string) {
  return (approval.items ?? []).map((item) => {
    const mine = (approval.level === 0 ? item.reviewers : approval.reviewers).includes(reviewer);
    if (item.status !== 'pending' || !mine) {
      return html`<section class="card"><h2>${item.title}</h2><p class="meta">${item.status === 'pending' ? `waiting for ${item.reviewers.join(', ')}` : `${item.status} by ${item.decision?.reviewer ?? ''}`}</p>
        <pre>${item.finalText ?? item.draft.text}</pre></section>`;
    }
    const flagged = item.qualityFailures?.length
      ? html`<p class="notice"><strong>Flagged</strong>: ${item.qualityFailures.map((f) => f.detail).join('; ')}. Approving as drafted keeps this flag in the document; edit to answer it.</p>`
      : '';
    return draftForm(
      item.title,
      item.draft,
      approval.sources,
      html`<input type="hidden" name="itemId" value="${item.itemId}"><input type="hidden" name="draftHash" value="${item.draftHash}">`,
      approval.reasons,
      flagged,
    );
  });
}
