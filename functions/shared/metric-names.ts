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
  /** Runs started (a trigger's start that was not a duplicate). */
  runsStarted: 'RunsStarted',
  /** Runs whose approved text could not be delivered. */
  deliveryFailed: 'DeliveryFailed',
  /** Pending approvals a reminder sweep found past the time the workflow gives reviewers (their reminder is due). */
  approvalsPastSla: 'ApprovalsPastSla',
  /** Runs the SLA sweep found waiting in the human queue past their owner's SLA (the workflow's `owner.sla`). */
  queuePastSla: 'HumanQueuePastSla',
} as const;

/**
 * Per final reviewer decision (of a request, or of one part of a multi-part request), under the
 * dimension sets [Workflow], [Workflow, Action], [Workflow, Action, ReasonCode] (when it gives a
 * reason code) and [Workflow, RoutePath] (when the run reached review through a route path).
 */
export const DECISION_METRICS = {
  decisions: 'ReviewerDecisions',
  /** Milliseconds from the request to the decision. */
  timeToDecision: 'TimeToDecision',
  /** Characters the reviewer's edit changed (edits only). */
  editDistance: 'EditDistance',
} as const;

/** Per generate step whose quality gates failed: one per failing gate, under [Workflow] and [Workflow, Step, Gate]. */
export const GATE_METRICS = { failures: 'GateFailures' } as const;

/** Per step that called models: tokens and priced cost (USD), under [Workflow], [Workflow, Step] and [Workflow, Model]. */
export const USAGE_METRICS = {
  inputTokens: 'InputTokens',
  outputTokens: 'OutputTokens',
  costUsd: 'CostUsd',
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
