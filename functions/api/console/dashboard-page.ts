/**
 * The dashboard: a workflow (or all) over the last 7, 14 or 30 days, as charts drawn on the
 * server (svg-charts.ts: no script on the page), each with its numbers in a table under it.
 */
import { html } from 'hono/html';
import type { Caller } from '../../auth/caller.js';
import type { DashboardFigures, Outcome } from '../../dashboards/figures.js';
import { consoleLayout } from './layout.js';
import { barChart, hBarChart, lineChart } from './svg-charts.js';

export const DASHBOARD_DAYS = [7, 14, 30] as const;

const OUTCOME_COLORS: Record<Outcome, string> = {
  delivered: '#2f9e44', completed: '#74b816', rejected: '#e8590c', approval_timed_out: '#f59f00', needs_human: '#c92a2a',
  delivery_failed: '#862e9c', failed: '#495057', start_failed: '#868e96', open: '#adb5bd',
};
const DECISION_COLORS = { approved: '#2f9e44', edited: '#1c7ed6', rejected: '#e8590c' } as const;

const pct = (n: number | null) => (n === null ? '–' : `${Math.round(n * 1000) / 10}%`);
const num = (n: number | null) => (n === null ? '–' : String(n));
const usd = (n: number) => `$${n.toFixed(4)}`;

function chart(title: string, drawing: unknown, table: unknown) {
  return html`<section class="card"><h2>${title}</h2>${drawing}
<details><summary>Figures</summary><div class="scroll">${table}</div></details></section>`;
}

export function dashboardPage(caller: Caller, figures: DashboardFigures, workflowIds: readonly string[], window: number) {
  const option = (value: string, chosen: string | undefined, label = value) => (value === chosen ? html`<option value="${value}" selected>${label}</option>` : html`<option value="${value}">${label}</option>`);
  const t = figures.totals;
  const outcomes = Object.keys(figures.days[0]?.runs ?? {}) as Outcome[];
  const days = figures.days.map((d) => d.day.slice(5));
  const series = <T>(label: string, color: string, value: (d: DashboardFigures['days'][number]) => T) => ({ label, color, values: figures.days.map(value) as (number | null)[] });
  return consoleLayout(
    'Dashboard',
    caller,
    'dashboard',
    html`<h1>Dashboard${figures.workflowId ? html`: ${figures.workflowId}` : ''}</h1>
<form class="filters" method="get" action="/console/dashboard">
  <label>Workflow <select name="workflowId">${option('', figures.workflowId, 'all')}${workflowIds.map((w) => option(w, figures.workflowId))}</select></label>
  <label>Days <select name="days">${DASHBOARD_DAYS.map((d) => option(String(d), String(window)))}</select></label>
  <button>Show</button>
</form>
<p class="meta" id="totals">${t.runs} runs · ${pct(t.ended ? t.succeeded / t.ended : null)} of ended runs delivered or completed · ${t.decisions} decisions · ${usd(t.costUsd)} · ${t.fallbacks} model fallbacks${
      figures.baselineMinutes ? html` · manual baseline ${figures.baselineMinutes} min` : ''
    }${figures.partial ? html` · <strong>partial</strong>: the newest runs and decisions only` : ''}</p>
${chart(
  'Runs by outcome, and the success rate',
  barChart('Runs by outcome, and the success rate', days, outcomes.map((o) => series(o.replace(/_/g, ' '), OUTCOME_COLORS[o], (d) => d.runs[o])), 'runs', {
    ...series('success rate (%)', '#1d2330', (d) => (d.successRate === null ? null : Math.round(d.successRate * 1000) / 10)),
    max: 100,
    axisLabel: '% succeeded',
  }),
  html`<table><thead><tr><th>Day</th>${outcomes.map((o) => html`<th>${o.replace(/_/g, ' ')}</th>`)}<th>Success rate</th></tr></thead><tbody>${figures.days.map(
    (d) => html`<tr><td>${d.day}</td>${outcomes.map((o) => html`<td>${d.runs[o]}</td>`)}<td>${pct(d.successRate)}</td></tr>`,
  )}</tbody></table>`,
)}
${chart(
  'Decisions: approved, edited, rejected',
  barChart('Decisions: approved, edited, rejected', days, (['approved', 'edited', 'rejected'] as const).map((k) => series(k, DECISION_COLORS[k], (d) => d.decisions[k])), 'decisions'),
  html`<table><thead><tr><th>Day</th><th>Approved</th><th>Edited</th><th>Rejected</th></tr></thead><tbody>${figures.days.map(
    (d) => html`<tr><td>${d.day}</td><td>${d.decisions.approved}</td><td>${d.decisions.edited}</td><td>${d.decisions.rejected}</td></tr>`,
  )}</tbody></table>`,
)}
${chart(
  'Why drafts were edited or rejected',
  figures.reasons.length
    ? hBarChart('Why drafts were edited or rejected', figures.reasons.map((r) => r.code), [
        { label: 'edited', color: DECISION_COLORS.edited, values: figures.reasons.map((r) => r.edited) },
        { label: 'rejected', color: DECISION_COLORS.rejected, values: figures.reasons.map((r) => r.rejected) },
      ])
    : '',
  figures.reasons.length
    ? html`<table><thead><tr><th>Reason</th><th>Edited</th><th>Rejected</th></tr></thead><tbody>${figures.reasons.map((r) => html`<tr><td>${r.code}</td><td>${r.edited}</td><td>${r.rejected}</td></tr>`)}</tbody></table>`
    : html`<p>No edit or rejection gave a reason in this window.</p>`,
)}
${chart(
  'Time to decision and handling time (minutes)',
  lineChart(
    'Time to decision and handling time (minutes)',
    days,
    [
      series('time to decision, median', '#1c7ed6', (d) => d.timeToDecision.p50),
      series('time to decision, p90', '#74c0fc', (d) => d.timeToDecision.p90),
      series('handling time, median', '#2f9e44', (d) => d.handlingMinutes),
      ...(figures.baselineMinutes ? [{ ...series('manual baseline', '#c92a2a', () => figures.baselineMinutes!), dashed: true }] : []),
    ],
    'minutes',
  ),
  html`<table><thead><tr><th>Day</th><th>Decision, median</th><th>Decision, p90</th><th>Handling, median</th>${figures.baselineMinutes ? html`<th>Baseline</th>` : ''}</tr></thead><tbody>${figures.days.map(
    (d) => html`<tr><td>${d.day}</td><td>${num(d.timeToDecision.p50)}</td><td>${num(d.timeToDecision.p90)}</td><td>${num(d.handlingMinutes)}</td>${figures.baselineMinutes ? html`<td>${figures.baselineMinutes}</td>` : ''}</tr>`,
  )}</tbody></table>`,
)}
${chart(
  'Cost per day',
  barChart('Cost per day', days, [series('cost (USD)', '#5f3dc4', (d) => d.costUsd)], 'USD'),
  html`<table><thead><tr><th>Day</th><th>USD</th></tr></thead><tbody>${figures.days.map((d) => html`<tr><td>${d.day}</td><td>${usd(d.costUsd)}</td></tr>`)}</tbody></table>
<table><thead><tr><th>Workflow</th><th>USD</th></tr></thead><tbody>${Object.entries(figures.costByWorkflow).map(([w, c]) => html`<tr><td>${w}</td><td>${usd(c)}</td></tr>`)}</tbody></table>`,
)}
${chart(
  'Cost by model',
  Object.keys(figures.costByModel).length ? hBarChart('Cost by model', Object.keys(figures.costByModel), [{ label: 'USD', color: '#5f3dc4', values: Object.values(figures.costByModel) }]) : '',
  Object.keys(figures.costByModel).length
    ? html`<table><thead><tr><th>Model</th><th>USD</th></tr></thead><tbody>${Object.entries(figures.costByModel).map(([m, c]) => html`<tr><td>${m}</td><td>${usd(c)}</td></tr>`)}</tbody></table>`
    : html`<p>No priced model call in this window.</p>`,
)}
${chart(
  'Model fallbacks and errors per day',
  barChart('Model fallbacks and errors per day', days, [series('fallbacks', '#f59f00', (d) => d.fallbacks), series('errors', OUTCOME_COLORS.needs_human, (d) => d.errors)], 'count'),
  html`<table><thead><tr><th>Day</th><th>Fallbacks</th><th>Errors</th></tr></thead><tbody>${figures.days.map((d) => html`<tr><td>${d.day}</td><td>${d.fallbacks}</td><td>${d.errors}</td></tr>`)}</tbody></table>`,
)}
${chart(
  'Errors that sent runs to a person',
  figures.errors.length ? hBarChart('Errors that sent runs to a person', figures.errors.map((e) => e.error), [{ label: 'runs', color: OUTCOME_COLORS.needs_human, values: figures.errors.map((e) => e.runs) }]) : '',
  figures.errors.length
    ? html`<table><thead><tr><th>Error</th><th>Runs</th></tr></thead><tbody>${figures.errors.map((e) => html`<tr><td>${e.error}</td><td>${e.runs}</td></tr>`)}</tbody></table>`
    : html`<p>No run failed in this window.</p>`,
)}`,
  );
}
