/**
 * One run's page in the console: what it is and where it stands (and, in the human queue, what
 * failed and how to resume it), then its timeline, oldest first: the start with its input, every
 * step with its input and output, model attempts and gate verdicts, every approval requested and
 * decided (with why it was routed there, and the edit diff), the delivery, and every audit event.
 */
import { html } from 'hono/html';
import type { Caller } from '../../auth/caller.js';
import type { ApprovalView } from '../../approvals/approval-view.js';
import type { AuditEvent } from '../../records/audit.js';
import { QUEUE_STATUSES } from '../../records/human-queue.js';
import type { StepRecord } from '../../records/runs.js';
import type { RunDetail } from '../../runs/run-detail.js';
import { readableCause } from '../../shared/error-cause.js';
import { badge, consoleLayout, jsonBlock, when } from './layout.js';

interface Entry {
  readonly at: string;
  readonly body: unknown;
}

export function runPage(caller: Caller, run: RunDetail) {
  const entries: Entry[] = [
    { at: run.createdAt, body: html`<strong>Run started</strong> ${jsonBlock('Input', run.input)}` },
    ...run.steps.map((s) => ({ at: s.startedAt, body: stepEntry(s) })),
    ...run.approvals.flatMap((a) => approvalEntries(a)),
    ...(run.delivery ? run.delivery.attempts.map((d) => ({ at: d.at, body: html`<strong>Delivery attempt ${d.attempt}</strong> to ${run.delivery!.url}: ${d.error ?? (d.status ? `HTTP ${d.status}` : '')}` })) : []),
    ...run.audit.map((e) => ({ at: e.time, body: auditEntry(e) })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  const queued = (QUEUE_STATUSES as readonly string[]).includes(run.status);
  return consoleLayout(
    `Run ${run.runId}`,
    caller,
    queued ? 'queue' : 'runs',
    html`<h1>Run ${run.runId} ${badge(run.status)}</h1>
<p class="meta">${run.workflowId} · version ${run.workflowVersion}${run.releaseId ? html` · release ${run.releaseId}` : ''} · started ${when(run.createdAt)} · updated ${when(run.updatedAt)}${
      run.redriveCount ? html` · redriven ${run.redriveCount}×` : ''
    } · ${run.usage.inputTokens + run.usage.outputTokens} tokens${typeof run.usage.costUsd === 'number' ? html` · $${run.usage.costUsd.toFixed(4)}` : ''}</p>
${queued || run.status === 'failed' ? failureBox(run) : ''}
<h2>Timeline</h2>
<ol class="timeline">${entries.map((e) => html`<li><div class="when">${when(e.at)}</div>${e.body}</li>`)}</ol>`,
  );
}

function failureBox(run: RunDetail) {
  return html`<section class="alert" aria-label="Why this run stopped">
<p><strong>${run.status === 'failed' ? 'This run failed' : 'This run waits in the human queue'}</strong>${run.queuedAt ? html` since ${when(run.queuedAt)}` : ''}${run.queueDueAt ? html`; act by ${when(run.queueDueAt)}` : ''}.</p>
${run.error ? html`<p>Error: <strong>${run.error.error}</strong></p>${run.error.cause ? html`<pre>${readableCause(run.error.cause)}</pre>` : ''}` : ''}
<p>Once the cause is fixed, resume it from the step that failed: <code>npx handrail runs redrive ${run.runId}</code> (admins and authors).</p>
</section>`;
}

function stepEntry(s: StepRecord) {
  const output = s.output as { gates?: { failed: boolean; failures: { gate: string; detail: string }[] } } | undefined;
  const attempts = (s.attempts ?? []) as { provider: string; model: string; attempt: number; outcome: string; errorKind?: string; error?: string; latencyMs: number }[];
  return html`<strong>${s.kind} ${s.stepId}</strong> ${badge(s.status)}
<span class="meta">${s.latencyMs} ms${s.provider ? html` · ${s.provider} ${s.model ?? ''}` : ''}${s.usage ? html` · ${s.usage.inputTokens}+${s.usage.outputTokens} tokens` : ''}${typeof s.costUsd === 'number' ? html` · $${s.costUsd.toFixed(4)}` : ''}</span>
${s.error ? html`<p>Error: ${s.error}</p>` : ''}
${output?.gates ? html`<p>Quality gates: ${output.gates.failed ? html`<strong>failed</strong>: ${output.gates.failures.map((f) => `${f.gate} (${f.detail})`).join('; ')}` : 'passed'}</p>` : ''}
${
  attempts.length
    ? html`<div class="scroll"><table><thead><tr><th>Model attempt</th><th>Outcome</th><th>Latency</th></tr></thead><tbody>${attempts.map(
        (a) => html`<tr><td>${a.provider} ${a.model} #${a.attempt}</td><td>${a.outcome}${a.errorKind ? html` (${a.errorKind})` : ''}${a.error ? html`<br><span class="meta">${a.error}</span>` : ''}</td><td>${a.latencyMs} ms</td></tr>`,
      )}</tbody></table></div>`
    : ''
}
${jsonBlock('Input', s.input)}${jsonBlock('Output', s.output)}`;
}

function approvalEntries(a: ApprovalView): Entry[] {
  const requested: Entry = {
    at: a.requestedAt,
    body: html`<strong>Approval ${a.stepId}${a.level ? ` (level ${a.level})` : ''} requested</strong> ${badge(a.status)} of ${a.reviewers.join(', ')}
${a.qualityFailures?.length ? html`<p>Routed here because: ${a.qualityFailures.map((f) => f.detail).join('; ')}</p>` : ''}
${a.classification?.length ? html`<p class="meta">Classified ${a.classification.join(' · ')}${a.routeKey ? html` · route ${a.routeKey}` : ''}</p>` : ''}
<details><summary>Draft</summary><pre>${a.draft.text}</pre></details>`,
  };
  if (!a.decision) return [requested];
  const d = a.decision;
  return [
    requested,
    {
      at: d.decidedAt,
      body: html`<strong>${d.action === 'approve' ? 'Approved' : d.action === 'edit' ? 'Edited and approved' : 'Rejected'}</strong> by ${d.reviewer} via ${d.channel}${d.reasonCode ? html` · reason ${d.reasonCode}` : ''}${d.reason ? html`: ${d.reason}` : ''}
${d.diff ? html`<details open><summary>Edit (${d.editDistance ?? 0} characters changed)</summary><div class="diff">${diffLines(d.diff)}</div></details>` : ''}`,
    },
  ];
}

/** A unified diff, its header lines dropped, each line marked as added or removed. */
function diffLines(diff: string) {
  return diff
    .split('\n')
    .filter((l) => !/^(Index:|={3,}|--- |\+\+\+ |\\ No newline)/.test(l))
    .map((l) => (l.startsWith('+') ? html`<span class="add">${l}</span>` : l.startsWith('-') ? html`<span class="del">${l}</span>` : html`<span>${l}</span>`));
}

function auditEntry(e: AuditEvent) {
  return html`<strong>${e.type}</strong> <span class="meta">by ${e.actor}</span>${jsonBlock('Details', e.details)}`;
}
