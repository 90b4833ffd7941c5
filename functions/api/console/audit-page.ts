/**
 * The audit trail in the console: the events recorded in a window of days, a page at a time (each
 * with its stream, time, type, who, the run it concerns and its details), and, on request, the
 * trail's verification for the same window (functions/audit/verify-chain.ts): intact, or every
 * edited, inserted or deleted event and where.
 */
import { html } from 'hono/html';
import type { AuditVerification } from '../../audit/verify-chain.js';
import type { Caller } from '../../auth/caller.js';
import type { AuditEvent } from '../../records/audit.js';
import { consoleLayout, jsonBlock, when } from './layout.js';

export interface AuditFilter {
  readonly from?: string;
  readonly to?: string;
}

export function auditPage(caller: Caller, filter: AuditFilter, events: readonly AuditEvent[], nextCursor: string | undefined, verification: AuditVerification | undefined) {
  const query = (extra: Record<string, string>) => new URLSearchParams({ ...Object.fromEntries(Object.entries(filter).filter((e): e is [string, string] => Boolean(e[1]))), ...extra });
  return consoleLayout(
    'Audit trail',
    caller,
    'audit',
    html`<h1>Audit trail</h1>
<form class="filters" method="get" action="/console/audit">
  <label>From <input type="date" name="from" value="${filter.from ?? ''}"></label>
  <label>To <input type="date" name="to" value="${filter.to ?? ''}"></label>
  <button>Show</button>
  <button name="verify" value="1">Verify the trail</button>
</form>
${verification ? verificationBox(verification) : ''}
${
  events.length
    ? html`<div class="scroll"><table><thead><tr><th>Time</th><th>Type</th><th>By</th><th>Stream</th><th>Details</th></tr></thead><tbody>${events.map(
        (e) => html`<tr><td>${when(e.time)}</td><td>${e.type}</td><td>${e.actor}</td><td>${e.runId ? html`<a href="/console/runs/${encodeURIComponent(e.runId)}">${e.subject}</a>` : e.subject} <span class="meta">#${e.seq}</span></td><td>${jsonBlock('Details', e.details)}</td></tr>`,
      )}</tbody></table></div>`
    : html`<p class="notice">No event on this page${nextCursor ? ' (the trail goes on: next page)' : ' in this window'}.</p>`
}
${nextCursor ? html`<p class="pager"><a href="/console/audit?${query({ cursor: nextCursor })}" rel="next">Next page →</a></p>` : ''}`,
  );
}

function verificationBox(v: AuditVerification) {
  return html`<section class="${v.ok ? 'notice' : 'alert'}" aria-label="Verification">
<p><strong>${v.ok ? 'The trail is intact' : `${v.findings.length} finding(s): the trail was changed`}</strong>: ${v.events} events in ${v.streams} streams, ${v.checkpoints} signed checkpoints, ${v.unsigned} events not yet signed, ${v.redacted} redacted by an erasure.</p>
${v.findings.length ? html`<ul>${v.findings.map((f) => html`<li><strong>${f.kind}</strong> in ${f.subject} at #${f.seq}${f.time ? html` (${when(f.time)})` : ''}: ${f.message}</li>`)}</ul>` : ''}
</section>`;
}
