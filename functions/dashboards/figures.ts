/**
 * The console dashboard's figures over the last N UTC days, for one workflow or all: runs by
 * outcome and the success rate per day; decisions (approved, edited, rejected) per day with the
 * reasons given; time to decision; handling time (start to delivery) against the baseline the
 * workflow declares; cost per day by workflow and by model; model fallbacks and errors per day;
 * errors by kind. Read from the records
 * (runs by the byWorkflow index, decided approvals by the byStatus index, the usage counters),
 * never from logs, so the same page works locally and on AWS. Each read is bounded (MAX_RUNS,
 * MAX_DECISIONS): past the bound the figures say they are partial.
 */
import { durationSeconds, type Workflow } from '../../state-machines/schema.js';
import type { ApprovalRecord } from '../records/approvals.js';
import { queryUpTo } from '../records/dynamo-helpers.js';
import { listRuns, type RunRecord, type RunStatus } from '../records/runs.js';
import { ENV } from '../shared/env-names.js';
import { requireEnv } from '../shared/env.js';
import { usageRows } from '../usage/counters.js';

export const MAX_RUNS = 5000;
export const MAX_DECISIONS = 5000;

const SUCCESS: readonly RunStatus[] = ['delivered', 'completed'];
/** Ended on an error: the human queue, or failed. */
const ERRORED: readonly RunStatus[] = ['needs_human', 'delivery_failed', 'failed'];
const OUTCOMES = ['delivered', 'completed', 'rejected', 'approval_timed_out', 'needs_human', 'delivery_failed', 'failed', 'start_failed', 'open'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface DayFigures {
  readonly day: string;
  readonly runs: Record<Outcome, number>;
  /** Delivered or completed, of the runs started that day that ended (null: none ended). */
  readonly successRate: number | null;
  readonly decisions: { approved: number; edited: number; rejected: number };
  /** Minutes from request to decision, median and 90th percentile (null: no decision). */
  readonly timeToDecision: { p50: number | null; p90: number | null };
  /** Minutes from start to delivery of the runs delivered, median (null: none). */
  readonly handlingMinutes: number | null;
  readonly costUsd: number;
  /** Model steps answered by a later model of their chain than the first. */
  readonly fallbacks: number;
  /** Runs started that day that ended needs_human, delivery_failed or failed. */
  readonly errors: number;
}

export interface DashboardFigures {
  readonly workflowId?: string;
  readonly days: DayFigures[];
  /** Reason codes given for edits and rejections, most frequent first. */
  readonly reasons: { code: string; edited: number; rejected: number }[];
  readonly costByWorkflow: Record<string, number>;
  readonly costByModel: Record<string, number>;
  /** Error names of runs that ended needs_human, delivery_failed or failed, most frequent first. */
  readonly errors: { error: string; runs: number }[];
  /** The baseline the workflow declares, in minutes (one workflow only). */
  readonly baselineMinutes?: number;
  readonly totals: { runs: number; succeeded: number; ended: number; decisions: number; costUsd: number; fallbacks: number };
  /** True when a bound was reached: the figures cover the newest MAX_RUNS runs / MAX_DECISIONS decisions. */
  readonly partial: boolean;
}

/** The UTC days ending today, oldest first. */
export function lastDays(count: number, now = new Date()): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: count }, (_, i) => new Date(today - (count - 1 - i) * 86_400_000).toISOString().slice(0, 10));
}

function quantile(sorted: number[], q: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const minutesBetween = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 60_000;
const round = (n: number | null, digits = 1) => (n === null ? null : Math.round(n * 10 ** digits) / 10 ** digits);

async function runsIn(workflowIds: readonly string[], from: string): Promise<{ runs: RunRecord[]; partial: boolean }> {
  const runs: RunRecord[] = [];
  for (const workflowId of workflowIds) {
    let cursor: string | undefined;
    do {
      const page = await listRuns({ workflowId, from, limit: 100, cursor });
      runs.push(...page.runs.filter((r) => !r.replay));
      cursor = page.nextCursor;
      if (runs.length >= MAX_RUNS) return { runs: runs.slice(0, MAX_RUNS), partial: true };
    } while (cursor);
  }
  return { runs, partial: false };
}

async function decisionsIn(from: string, workflowId: string | undefined): Promise<{ approvals: ApprovalRecord[]; partial: boolean }> {
  const approvals: ApprovalRecord[] = [];
  for (const status of ['approved', 'edited', 'rejected'] as const) {
    const { items, partial } = await queryUpTo<ApprovalRecord>(
      {
        TableName: requireEnv(ENV.approvalsTable),
        IndexName: 'byStatus',
        KeyConditionExpression: '#status = :s AND requestedAt >= :from',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':s': status, ':from': from },
      },
      MAX_DECISIONS - approvals.length,
      (a) => !workflowId || a.workflowId === workflowId,
    );
    approvals.push(...items);
    if (partial) return { approvals, partial: true };
  }
  return { approvals, partial: false };
}

/** `workflows`: the deployed ones (their ids, and a baseline when one workflow is asked for). */
export async function dashboardFigures(workflows: readonly Pick<Workflow, 'id' | 'baseline'>[], options: { workflowId?: string; days: number; now?: Date }): Promise<DashboardFigures> {
  const days = lastDays(options.days, options.now);
  const from = `${days[0]}T00:00:00.000Z`;
  const chosen = options.workflowId ? workflows.filter((w) => w.id === options.workflowId) : workflows;
  const [{ runs, partial: runsPartial }, { approvals, partial: decisionsPartial }, usage] = await Promise.all([
    runsIn(chosen.map((w) => w.id), from),
    decisionsIn(from, options.workflowId),
    Promise.all(chosen.map((w) => usageRows({ workflowId: w.id }))).then((rows) => rows.flat().filter((r) => r.day >= days[0]!)),
  ]);

  const byDay = new Map(days.map((day) => [day, { runs: Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>, decisions: { approved: 0, edited: 0, rejected: 0 }, waits: [] as number[], handling: [] as number[], costUsd: 0, fallbacks: 0 }]));
  for (const run of runs) {
    const day = byDay.get(run.createdAt.slice(0, 10));
    if (!day) continue;
    const outcome = (OUTCOMES as readonly string[]).includes(run.status) ? (run.status as Outcome) : 'open';
    day.runs[outcome] += 1;
    if (run.status === 'delivered' && run.delivery?.deliveredAt) day.handling.push(minutesBetween(run.createdAt, run.delivery.deliveredAt));
  }
  const reasons = new Map<string, { edited: number; rejected: number }>();
  for (const a of approvals) {
    if (!a.decision) continue;
    const day = byDay.get(a.decision.decidedAt.slice(0, 10));
    if (!day) continue;
    const status = a.status as 'approved' | 'edited' | 'rejected';
    day.decisions[status] += 1;
    day.waits.push(minutesBetween(a.requestedAt, a.decision.decidedAt));
    if (status !== 'approved' && a.decision.reasonCode) {
      const r = reasons.get(a.decision.reasonCode) ?? { edited: 0, rejected: 0 };
      r[status] += 1;
      reasons.set(a.decision.reasonCode, r);
    }
  }
  const costByWorkflow: Record<string, number> = {};
  const costByModel: Record<string, number> = {};
  for (const row of usage) {
    const day = byDay.get(row.day);
    if (day) {
      day.costUsd += row.costUsd;
      day.fallbacks += row.fallbacks;
    }
    costByWorkflow[row.workflowId] = (costByWorkflow[row.workflowId] ?? 0) + row.costUsd;
    for (const [model, usd] of Object.entries(row.costByModel)) costByModel[model] = (costByModel[model] ?? 0) + usd;
  }
  const errors = new Map<string, number>();
  for (const run of runs) if (run.error && ERRORED.includes(run.status)) errors.set(run.error.error, (errors.get(run.error.error) ?? 0) + 1);

  const figures = days.map((day): DayFigures => {
    const d = byDay.get(day)!;
    const ended = OUTCOMES.filter((o) => o !== 'open').reduce((n, o) => n + d.runs[o], 0);
    const succeeded = SUCCESS.reduce((n, o) => n + d.runs[o as Outcome], 0);
    const waits = [...d.waits].sort((a, b) => a - b);
    const handling = [...d.handling].sort((a, b) => a - b);
    return {
      day,
      runs: d.runs,
      successRate: ended ? round(succeeded / ended, 3) : null,
      decisions: d.decisions,
      timeToDecision: { p50: round(quantile(waits, 0.5)), p90: round(quantile(waits, 0.9)) },
      handlingMinutes: round(quantile(handling, 0.5)),
      costUsd: round(d.costUsd, 6)!,
      fallbacks: d.fallbacks,
      errors: ERRORED.reduce((n, o) => n + d.runs[o as Outcome], 0),
    };
  });
  const baseline = options.workflowId ? chosen[0]?.baseline : undefined;
  const sum = (f: (d: DayFigures) => number) => figures.reduce((n, d) => n + f(d), 0);
  return {
    ...(options.workflowId ? { workflowId: options.workflowId } : {}),
    days: figures,
    reasons: [...reasons].map(([code, r]) => ({ code, ...r })).sort((a, b) => b.edited + b.rejected - (a.edited + a.rejected) || a.code.localeCompare(b.code)),
    costByWorkflow,
    costByModel,
    errors: [...errors].map(([error, count]) => ({ error, runs: count })).sort((a, b) => b.runs - a.runs || a.error.localeCompare(b.error)),
    ...(baseline ? { baselineMinutes: durationSeconds(baseline.handlingTime) / 60 } : {}),
    totals: {
      runs: sum((d) => OUTCOMES.reduce((n, o) => n + d.runs[o], 0)),
      succeeded: sum((d) => d.runs.delivered + d.runs.completed),
      ended: sum((d) => OUTCOMES.filter((o) => o !== 'open').reduce((n, o) => n + d.runs[o], 0)),
      decisions: sum((d) => d.decisions.approved + d.decisions.edited + d.decisions.rejected),
      costUsd: round(sum((d) => d.costUsd), 6)!,
      fallbacks: sum((d) => d.fallbacks),
    },
    partial: runsPartial || decisionsPartial,
  };
}
