/** The reviewer's page: ticket, draft, cited sources, and approve / edit / reject. */
import { html } from 'hono/html';
import type { ApprovalRecord } from '../../records/approvals.js';
import { pageStyle } from './page-style.js';

export function page(title: string, body: unknown) {
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer"><title>${title} · Handrail</title>${pageStyle}</head><body>${body}</body></html>`;
}

export function messagePage(title: string, message: string) {
  return page(title, html`<h1>${title}</h1><p class="notice">${message}</p>`);
}

/** `signedIn`: a sensitive step's page, shown to its reviewer signed in (routes/review.ts checked). */
export function reviewPage(approval: ApprovalRecord, reviewer: string, signedIn = false) {
  const input = Object.entries(approval.input);
  const decided = approval.status !== 'pending';
  return page(
    `Review ${approval.stepId}`,
    html`<h1>Review: ${approval.workflowId} / ${approval.stepId}</h1>
      ${signedIn ? html`<p class="notice"><strong>Sensitive step</strong>: you are signed in as <strong>${reviewer}</strong>.</p>` : ''}
      <p class="meta">Run ${approval.runId} · reviewer ${reviewer} · decide by ${approval.deadline} · draft by ${approval.draft.provider} (${approval.draft.model})${approval.releaseId ? html` · release ${approval.releaseId}` : ''}</p>
      ${approval.qualityFailures?.length ? html`<p class="notice"><strong>Sent to review because:</strong> ${approval.qualityFailures.map((f) => f.detail).join('; ')}</p>` : ''}
      ${approval.classification?.length ? html`<p class="meta"><strong>Classified:</strong> ${approval.classification.join(' · ')}${approval.routeKey ? html` · route ${approval.routeKey}` : ''}</p>` : ''}
      <div class="card"><h2>Request</h2>${input.map(([k, v]) => html`<p><strong>${k}</strong>: ${typeof v === 'string' ? v : JSON.stringify(v)}</p>`)}</div>
      <div class="card"><h2>Sources</h2>${
        approval.sources.length
          ? html`<ol>${approval.sources.map((s) => html`<li value="${s.n}"><strong>${s.title}</strong> <span class="meta">(${s.docId} v${s.version}, ${s.passageId})</span><br>${s.text}</li>`)}</ol>`
          : html`<p>No knowledge-base passage matched this request.</p>`
      }</div>
      ${decided ? decidedView(approval) : approval.items ? itemForms(approval, reviewer) : decisionForm(approval)}`,
  );
}

function decidedView(approval: ApprovalRecord) {
  return html`<p class="notice">This approval is <strong>${approval.status}</strong>${approval.decision ? html` by ${approval.decision.reviewer} at ${approval.decision.decidedAt}` : ''}. Nothing more to do.</p>
    <div class="card"><h2>Draft</h2><pre>${approval.finalText ?? approval.draft.text}</pre></div>`;
}

function reasonFields(reasons: string[]) {
  return html`<p><label>Reason (needed to edit or reject)
      <select name="reasonCode"><option value="">—</option>${reasons.map((r) => html`<option value="${r}">${r.replace(/_/g, ' ')}</option>`)}</select></label>
      <label>Note <input name="reason" size="40"></label></p>`;
}

function buttons() {
  return html`<button class="approve" name="action" value="approve">Approve as drafted</button>
    <button class="edit" name="action" value="edit">Send my edit</button>
    <button class="reject" name="action" value="reject">Reject</button>`;
}

function decisionForm(approval: ApprovalRecord) {
  return html`<form method="post" class="card">
    <h2>Draft</h2>
    <textarea name="text" aria-label="Draft reply">${approval.draft.text}</textarea>
    <input type="hidden" name="draftHash" value="${approval.draftHash}">
    ${reasonFields(approval.reasons)} ${buttons()}
  </form>`;
}

/** Multi-part: one form per part; the reviewer decides the parts that are theirs. */
function itemForms(approval: ApprovalRecord, reviewer: string) {
  return (approval.items ?? []).map((item) => {
    const mine = (approval.level === 0 ? item.reviewers : approval.reviewers).includes(reviewer);
    if (item.status !== 'pending' || !mine) {
      return html`<div class="card"><h2>${item.title}</h2><p class="meta">${item.status === 'pending' ? `waiting for ${item.reviewers.join(', ')}` : `${item.status} by ${item.decision?.reviewer ?? ''}`}</p>
        <pre>${item.finalText ?? item.draft.text}</pre></div>`;
    }
    return html`<form method="post" class="card">
      <h2>${item.title}</h2>
      <textarea name="text" aria-label="${item.title}">${item.draft.text}</textarea>
      <input type="hidden" name="itemId" value="${item.itemId}">
      <input type="hidden" name="draftHash" value="${item.draftHash}">
      ${reasonFields(approval.reasons)} ${buttons()}
    </form>`;
  });
}
