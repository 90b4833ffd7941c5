/**
 * One Powertools Metrics instance per process: CloudWatch embedded metric format lines on stdout,
 * namespace Handrail, service handrail. Off in the local runtime (POWERTOOLS_METRICS_DISABLED).
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE, METRICS_SERVICE, RELEASE_COUNTS, type ReleaseCounts } from '../../state-machines/rollout.js';

export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });

/** Publishes what one ended run adds to its release's counts (the alias's rollback alarms read them). */
export function publishReleaseCounts(workflowId: string, releaseId: string, counts: ReleaseCounts): void {
  // Synchronous from the first call to the flush, so concurrent invocations never mix dimensions.
  metrics.addDimensions({ Workflow: workflowId, Release: releaseId });
  for (const [key, name] of Object.entries(RELEASE_COUNTS) as [keyof ReleaseCounts, string][]) metrics.addMetric(name, MetricUnit.Count, counts[key]);
  metrics.publishStoredMetrics();
}
