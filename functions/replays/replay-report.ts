/**
 * A replay's report: each recorded run side by side with its replay through the candidate release —
 * how it ended, the steps it took (its route), its classifications, the quality gates that failed,
 * the draft's length and citations, cost and latency — and how a person decided on the original.
 * A replay run still going is reported as such; the report is complete once none is.
 */
import { getApproval } from '../records/approvals.js';
import type { ReplayRecord } from '../records/replays.js';
import { getRunWithSteps, type RunRecord, type StepRecord } from '../records/runs.js';
import type { GateResult } from '../quality/gates.js';

export interface RunSummary {
  readonly runId: string;
  readonly releaseId?: string;
  readonly status: string;
  /** How it ended, delivery aside (a replay delivers nothing): delivered and completed are both `completed`. */
  readonly outcome: string;
  /** The steps that ran, in order: the route the run took. */
  readonly path: string[];
  /** Each classify step's output. */
  readonly classification: Record<string, unknown>;
  /** Quality gates that failed, as `<step>.<gate>`. */
  readonly gatesFailed: string[];
  readonly draftLength?: number;
  readonly citations?: number[];
  readonly costUsd: number;
  readonly latencyMs: number;
}

export interface ReplayPair {
  readonly original: RunSummary & { readonly decision?: { action: string; reviewer: string; reasonCode?: string } };
  readonly replay?: RunSummary;
  /** What differs: outcome, path, classification, gatesFailed, draftLength, citations. */
  readonly changed: string[];
}

export interface ReplayReport {
  readonly replayId: string;
  readonly workflowId: string;
  readonly releaseId: string;
  readonly complete: boolean;
  readonly pairs: ReplayPair[];
  readonly totals: { runs: number; done: number; changedOutcome: number; changedPath: number; costUsd: { original: number; replay: number } };
}

const OPEN = new Set(['running', 'awaiting_approval']);

function summarize(run: RunRecord, steps: StepRecord[]): RunSummary {
  const ordered = [...steps].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const drafts = ordered.filter((s) => s.kind === 'generate' && s.status === 'succeeded');
  const draft = drafts.at(-1)?.output as { text?: string; citations?: number[] } | undefined;
  return {
    runId: run.runId,
    ...(run.releaseId ? { releaseId: run.releaseId } : {}),
    status: run.status,
    outcome: run.status === 'delivered' ? 'completed' : run.status,
    path: ordered.map((s) => s.stepId),
    classification: Object.fromEntries(ordered.filter((s) => s.kind === 'classify').map((s) => [s.stepId, s.output])),
    gatesFailed: ordered.flatMap((s) => ((s.output as { gates?: GateResult } | undefined)?.gates?.failures ?? []).map((f) => `${s.stepId}.${f.gate}`)),
    ...(draft?.text !== undefined ? { draftLength: draft.text.length, citations: draft.citations ?? [] } : {}),
    costUsd: Number(ordered.reduce((sum, s) => sum + (s.costUsd ?? 0), 0).toFixed(6)),
    latencyMs: ordered.reduce((sum, s) => sum + s.latencyMs, 0),
  };
}

/** How a person decided the run's last decided approval (none when nobody did, e.g. auto-approved). */
async function decisionOn(run: RunRecord): Promise<{ action: string; reviewer: string; reasonCode?: string } | undefined> {
  for (const approvalId of [...(run.approvalIds ?? [])].reverse()) {
    const decision = (await getApproval(approvalId))?.decision;
    if (decision && decision.channel !== 'autonomy') return { action: decision.action, reviewer: decision.reviewer, ...(decision.reasonCode ? { reasonCode: decision.reasonCode } : {}) };
  }
  return undefined;
}

/** The recorded run's summary with its decision, each record read once. */
async function originalOf(runId: string): Promise<ReplayPair['original'] | undefined> {
  const found = await getRunWithSteps(runId);
  if (!found) return undefined;
  const decision = await decisionOn(found.run);
  return { ...summarize(found.run, found.steps), ...(decision ? { decision } : {}) };
}

async function summaryOf(runId: string): Promise<RunSummary | undefined> {
  const found = await getRunWithSteps(runId);
  return found && summarize(found.run, found.steps);
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export async function replayReport(replay: ReplayRecord): Promise<ReplayReport> {
  const pairs = await Promise.all(
    replay.pairs.map(async ({ of, runId }): Promise<ReplayPair> => {
      const [original, replayed] = await Promise.all([originalOf(of), summaryOf(runId)]);
      const base = original ?? { runId: of, status: 'unknown', outcome: 'unknown', path: [], classification: {}, gatesFailed: [], costUsd: 0, latencyMs: 0 };
      const changed = !replayed || OPEN.has(replayed.status)
        ? []
        : (['outcome', 'path', 'classification', 'gatesFailed', 'draftLength', 'citations'] as const).filter((k) => !same(base[k], replayed[k]));
      return { original: base, ...(replayed ? { replay: replayed } : {}), changed };
    }),
  );
  const done = pairs.filter((p) => p.replay && !OPEN.has(p.replay.status));
  return {
    replayId: replay.replayId,
    workflowId: replay.replayedWorkflow,
    releaseId: replay.releaseId,
    complete: done.length === pairs.length,
    pairs,
    totals: {
      runs: pairs.length,
      done: done.length,
      changedOutcome: done.filter((p) => p.changed.includes('outcome')).length,
      changedPath: done.filter((p) => p.changed.includes('path')).length,
      costUsd: { original: sum(pairs.map((p) => p.original.costUsd)), replay: sum(pairs.map((p) => p.replay?.costUsd ?? 0)) },
    },
  };
}

const sum = (values: number[]) => Number(values.reduce((a, b) => a + b, 0).toFixed(6));
