/**
 * The alias every run starts through (`<state machine ARN>:live`): the stage's deploys shift it to
 * each new release (infra/constructs/governed-workflow.ts), rollbacks move it back.
 */
export const LIVE_ALIAS = 'live';

/** The ARN runs of `workflowId` start on, from the stage's state machine ARN prefix. */
export const liveAliasArn = (stateMachinePrefix: string, workflowId: string): string => `${stateMachinePrefix}${workflowId}:${LIVE_ALIAS}`;

/** What the live alias says it is (the template's, and one a promotion creates). */
export const liveAliasDescription = (workflowId: string): string => `New runs of ${workflowId}; shifted to each release as its rollout says`;

/** A run's execution: named by its runId, on its workflow's state machine (whichever version or alias started it). */
export const executionArnOf = (stateMachinePrefix: string, workflowId: string, runId: string): string =>
  `${stateMachinePrefix.replace(':stateMachine:', ':execution:')}${workflowId}:${runId}`;
