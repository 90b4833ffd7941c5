/**
 * One Powertools Metrics instance per process: CloudWatch embedded metric format lines on stdout,
 * namespace Handrail, service handrail, under the names and dimensions metric-names.ts declares.
 * Off in the local runtime (POWERTOOLS_METRICS_DISABLED). Each publication is synchronous from its
 * first dimension to the flush, so concurrent invocations in one process never mix dimensions.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ModelAttempt } from '../gateway/types.js';
import { METRICS_NAMESPACE, METRICS_SERVICE, PROVIDER_METRICS, RELEASE_COUNTS, WORKFLOW_METRICS } from './metric-names.js';
import type { ReleaseCounts } from '../../state-machines/rollout.js';

export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });

/** One EMF line: these counts under these dimensions (besides `service`). */
function publishCounts(dimensions: Record<string, string>, counts: Record<string, number>): void {
  metrics.addDimensions(dimensions);
  for (const [name, value] of Object.entries(counts)) metrics.addMetric(name, MetricUnit.Count, value);
  metrics.publishStoredMetrics();
}

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
