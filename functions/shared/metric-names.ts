/**
 * Every metric Handrail publishes (EMF through Powertools Metrics, namespace Handrail, service
 * handrail), with the dimensions it is published under: what the handlers write
 * (functions/shared/metrics.ts) and what the stage's dashboard and alarms read
 * (infra/constructs/observability.ts, infra/constructs/release-alarms.ts) come from here.
 */
import { METRICS_SERVICE, RELEASE_COUNTS } from '../../state-machines/rollout.js';

export { METRICS_NAMESPACE, METRICS_SERVICE, RELEASE_COUNTS, releaseDimensions } from '../../state-machines/rollout.js';

/** Per workflow (dimensions service, Workflow): each ended run's counts, as per release, and more. */
export const WORKFLOW_METRICS = {
  ...RELEASE_COUNTS,
  /** Runs whose approved text could not be delivered. */
  deliveryFailed: 'DeliveryFailed',
  /** Pending approvals a reminder sweep found past the time the workflow gives reviewers (their reminder is due). */
  approvalsPastSla: 'ApprovalsPastSla',
  /** Runs the SLA sweep found waiting in the human queue past their owner's SLA (the workflow's `owner.sla`). */
  queuePastSla: 'HumanQueuePastSla',
} as const;

/** Per model provider (dimensions service, Provider): every call the gateway made, how many failed, fell back or were skipped cooling down. */
export const PROVIDER_METRICS = {
  calls: 'ModelCalls',
  failures: 'ModelFailures',
  fallbacks: 'ModelFallbacks',
  cooldownSkips: 'ModelCooldownSkips',
} as const;

export const workflowDimensions = (workflowId: string) => ({ service: METRICS_SERVICE, Workflow: workflowId });
export const providerDimensions = (provider: string) => ({ service: METRICS_SERVICE, Provider: provider });
