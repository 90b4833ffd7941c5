/**
 * The runs explorer: a GET form (workflow, status, release, days) over the runs, newest first,
 * each row linking to the run's timeline; a cursor link for the next page. The filter is in the
 * URL, so a view can be bookmarked or sent.
 */
import { html } from 'hono/html';
import type { Caller } from '../../auth/caller.js';
import { RUN_STATUSES, type RunRecord } from '../../records/runs.js';
import { badge, consoleLayout, when } from './layout.js';

export interface RunsFilter {
  readonly workflowId?: string;
  readonly status?: string;
  readonly releaseId?: string;
  readonly from?: string;
  readonly to?: string;
}

export function runsPage(caller: Caller, filter: RunsFilter, runs: readonly RunRecord[], nextCursor: string | undefined, workflowIds: readonly string[]) {
  const queue = filter.status === 'needs_human' || filter.status === 'delivery_failed';
  const next = nextCursor ? `/console/runs?${new URLSearchParams({ ...clean(filter), cursor: nextCursor })}` : undefined;
  const option = (value: string, chosen: string | undefined, label = value) => (value === chosen ? html`<option value="${value}" selected>${label}</option>` : html`<option value="${value}">${label}</option>`);
  return consoleLayout(
    queue ? 'Human queue' : 'Runs',
    caller,
    queue ? 'queue' : 'runs',
    html`<h1>${queue ? 'Human queue' : 'Runs'}</h1>
<form class="filters" method="get" action="/console/runs" role="search">
  <label>Workflow <select name="workflowId">${option('', filter.workflowId, 'any')}${workflowIds.map((w) => option(w, filter.workflowId))}</select></label>
  <label>Status <select name="status">${option('', filter.status, 'any')}${RUN_STATUSES.map((s) => option(s, filter.status, s.replace(/_/g, ' ')))}</select></label>
  <label>Release <input name="releaseId" value="${filter.releaseId ?? ''}" placeholder="rel-…" size="20"></label>
  <label>From <input type="date" name="from" value="${filter.from ?? ''}"></label>
  <label>To <input type="date" name="to" value="${filter.to ?? ''}"></label>
  <button>Filter</button>
</form>
${
  runs.length
    ? html`<div class="scroll"><table><thead><tr><th>Run</th><th>Workflow</th><th>Status</th><th>Started</th><th>Updated</th><th>Release</th>${queue ? html`<th>Error</th><th>Act by</th>` : ''}</tr></thead><tbody>
${runs.map(
  (r) => html`<tr><td><a href="/console/runs/${encodeURIComponent(r.runId)}">${r.runId}</a></td><td>${r.workflowId}</td><td>${badge(r.status)}</td><td>${when(r.createdAt)}</td><td>${when(r.updatedAt)}</td><td>${r.releaseId ?? ''}</td>${
    queue ? html`<td>${r.error?.error ?? ''}</td><td>${when(r.queueDueAt)}</td>` : ''
  }</tr>`,
)}</tbody></table></div>`
    : html`<p class="notice">No run matches these filters${nextCursor ? ' on this page' : ''}.</p>`
}
${next ? html`<p class="pager"><a href="${next}" rel="next">Next page →</a></p>` : ''}`,
  );
}

function clean(filter: RunsFilter): Record<string, string> {
  return Object.fromEntries(Object.entries(filter).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
}
