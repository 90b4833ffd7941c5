/**
 * One Powertools Metrics instance per process: CloudWatch embedded metric format lines on stdout,
 * namespace Handrail, service handrail, under the names and dimensions metric-names.ts declares.
 * Off in the local runtime (POWERTOOLS_METRICS_DISABLED). Each publication is synchronous from its
 * first dimension to the flush, so concurrent invocations in one process never mix dimensions.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ModelAttempt } from '../gateway/types.js';
import { DECISION_METRICS, GATE_METRICS, METRICS_NAMESPACE, METRICS_SERVICE, PROVIDER_METRICS, RELEASE_COUNTS, USAGE_METRICS, WORKFLOW_METRICS } from './metric-names.js';
import type { ReleaseCounts } from '../../state-machines/rollout.js';

export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

/**
 * These values under each of these dimension sets (besides `service`), counts unless `units` says
 * otherwise: one EMF line per set (Powertools warns on every line whose sets share a key, which
 * sets of one metric always do).
 */
function publish(dimensionSets: readonly Record<string, string>[], values: Record<string, number>, units: Record<string, Unit> = {}): void {
  for (const dimensions of dimensionSets) {
    metrics.addDimensions(dimensions);
    for (const [name, value] of Object.entries(values)) metrics.addMetric(name, units[name] ?? MetricUnit.Count, value);
    metrics.publishStoredMetrics();
  }
}

const publishCounts = (dimensions: Record<string, string>, counts: Record<string, number>) => publish([dimensions], counts);

const named = <K extends string>(names: Record<K, string>, counts: Record<K, number>) => Object.fromEntries((Object.keys(names) as K[]).map((k) => [names[k], counts[k]]));

/**
 * What one ended run adds: to its release's counts (the alias's rollback alarms read them) and to its
 * workflow's (the stage's dashboard and alarms), with whether its delivery failed.
 */
export function publishRunEnded(workflowId: string, releaseId: string | undefined, counts: ReleaseCounts, deliveryFailed: boolean): void {
  const released = named(RELEASE_COUNTS, counts);
  if (releaseId) publishCounts({ Workflow: workflowId, Release: releaseId }, released);
  publishCounts({ Workflow: workflowId }, { ...released, [WORKFLOW_METRICS.deliveryFailed]: deliveryFailed ? 1 : 0 });
}

/** A model gateway walk's attempts, per provider: calls made, failed, fallen back from, skipped cooling down. */
export function publishModelAttempts(attempts: readonly ModelAttempt[]): void {
  const last = attempts.at(-1)?.provider;
  const providers = [...new Set(attempts.map((a) => a.provider))];
  for (const provider of providers) {
    const own = attempts.filter((a) => a.provider === provider);
    publishCounts({ Provider: provider }, {
      [PROVIDER_METRICS.calls]: own.filter((a) => a.outcome !== 'skipped').length,
      [PROVIDER_METRICS.failures]: own.filter((a) => a.outcome === 'failed').length,
      [PROVIDER_METRICS.fallbacks]: provider !== last && own.some((a) => a.outcome !== 'skipped') ? 1 : 0,
      [PROVIDER_METRICS.cooldownSkips]: own.filter((a) => a.outcome === 'skipped' && a.errorKind === 'cooldown').length,
    });
  }
}

/** How many runs of each workflow the SLA sweep found in the human queue past their owner's SLA. */
export function publishQueuePastSla(byWorkflow: ReadonlyMap<string, number>): void {
  for (const [workflowId, count] of byWorkflow) publishCounts({ Workflow: workflowId }, { [WORKFLOW_METRICS.queuePastSla]: count });
}

/** How many pending approvals of each workflow a reminder sweep found past their reviewers' time. */
export function publishApprovalsPastSla(byWorkflow: ReadonlyMap<string, number>): void {
  for (const [workflowId, count] of byWorkflow) publishCounts({ Workflow: workflowId }, { [WORKFLOW_METRICS.approvalsPastSla]: count });
}

/** A run started: counted for its workflow. */
export function publishRunStarted(workflowId: string): void {
  publishCounts({ Workflow: workflowId }, { [WORKFLOW_METRICS.runsStarted]: 1 });
}

export interface PublishedDecision {
  readonly workflowId: string;
  readonly action: string;
  readonly reasonCode?: string;
  /** `<workflowId>/<routeStepId>/<pathName>`, when the run reached review through a route path. */
  readonly routeKey?: string;
  readonly timeToDecisionMs: number;
  readonly editDistance?: number;
}

/** A reviewer's final decision: how many, how long it took, how much an edit changed. */
export function publishDecision(d: PublishedDecision): void {
  const workflow = { Workflow: d.workflowId };
  const action = { ...workflow, Action: d.action };
  publish(
    [workflow, action, ...(d.reasonCode ? [{ ...action, ReasonCode: d.reasonCode }] : []), ...(d.routeKey ? [{ ...workflow, RoutePath: d.routeKey }] : [])],
    {
      [DECISION_METRICS.decisions]: 1,
      [DECISION_METRICS.timeToDecision]: d.timeToDecisionMs,
      ...(d.editDistance !== undefined ? { [DECISION_METRICS.editDistance]: d.editDistance } : {}),
    },
    { [DECISION_METRICS.timeToDecision]: MetricUnit.Milliseconds },
  );
}

/** A generate step's failed quality gates, one count per failing gate. */
export function publishGateFailures(workflowId: string, stepId: string, gates: readonly string[]): void {
  const counts = new Map<string, number>();
  for (const gate of gates) counts.set(gate, (counts.get(gate) ?? 0) + 1);
  for (const [gate, n] of counts) publish([{ Workflow: workflowId }, { Workflow: workflowId, Step: stepId, Gate: gate }], { [GATE_METRICS.failures]: n });
}

/** What a model step spent: tokens, and its cost in USD when its model has a price. */
export function publishUsage(workflowId: string, stepId: string, model: string, usage: { inputTokens: number; outputTokens: number }, costUsd: number | null): void {
  const workflow = { Workflow: workflowId };
  publish([workflow, { ...workflow, Step: stepId }, { ...workflow, Model: model }], {
    [USAGE_METRICS.inputTokens]: usage.inputTokens,
    [USAGE_METRICS.outputTokens]: usage.outputTokens,
    ...(costUsd !== null ? { [USAGE_METRICS.costUsd]: costUsd } : {}),
  }, { [USAGE_METRICS.costUsd]: MetricUnit.NoUnit });
}
