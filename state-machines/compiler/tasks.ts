/**
 * Task states for the Lambda-backed step kinds. Every task keeps the Lambda service-error retries
 * that CDK's LambdaInvoke adds by default. A step that fails for good (after its retries) is not
 * caught: the execution fails at that very state, so Step Functions' RedriveExecution can resume
 * it there once the cause is fixed (`npx handrail runs redrive`), and the execution's status
 * change ends its run in the human queue (functions/runs/end-failed-execution.ts): `needs_human`,
 * or `delivery_failed` for a DeliveryFailed. Nothing after a failed step runs, so a run is never
 * delivered by accident.
 */
import { ERROR_NAMES } from '../../functions/shared/errors.js';
import type { AutonomyRule, RouteCondition, StepOf } from '../schema.js';
import type { Retrier, TaskState } from './asl-types.js';
import { functionRef, type FinishConfig, type FunctionKind } from './function-kinds.js';

export const RUN_REJECTED_STATE = 'run_rejected';
export const RUN_COMPLETED_STATE = 'run_completed';
/** After a delivery that ends the run: the finish function counts it (RunsEnded, its decision) for its release. */
export const RUN_DELIVERED_STATE = 'run_delivered';

export const lambdaServiceRetry: Retrier = {
  ErrorEquals: [
    'Lambda.ClientExecutionTimeoutException',
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
    'Lambda.TooManyRequestsException',
  ],
  IntervalSeconds: 2,
  MaxAttempts: 6,
  BackoffRate: 2,
  JitterStrategy: 'FULL',
};

/**
 * A step task: the function gets `{ step, keep, state }` and returns the part of its output at the
 * `keep` paths (what later Choice states read: state-paths.ts), which lands at `$.steps.<id>`; the
 * whole output goes on the step's record.
 */
export function stepTask(kind: FunctionKind, step: { id: string }, keep: string[], next: string | undefined): TaskState {
  return {
    Type: 'Task',
    Comment: `${kind} step ${step.id}`,
    Resource: functionRef(kind),
    Parameters: { step, keep, 'state.$': '$' },
    ResultPath: `$.steps.${step.id}`,
    TimeoutSeconds: 300,
    Retry: [lambdaServiceRetry],
    ...(next ? { Next: next } : { End: true as const }),
  };
}

export function approvalStateName(stepId: string, level: number): string {
  return level === 0 ? stepId : `${stepId}__level${level}`;
}

export function approvalTimedOutStateName(stepId: string): string {
  return `${stepId}__timed_out`;
}

/** One level of an approval's escalation chain, with its reviewers already expanded. */
export interface ApprovalLevel {
  readonly level: number;
  readonly reviewers: string[];
  readonly timeoutSeconds: number;
  /** Multi-part approvals at level 0: who decides each part (groups expanded). */
  readonly partReviewers?: Record<string, string[]>;
  /** Level 0 of an approval with `reviewersFromInput`: the input field naming its reviewer (reviewers is then empty). */
  readonly reviewersFromInput?: string;
}

/**
 * One level of an approval: the function stores the request (with the task token) and the
 * state waits until a decision calls SendTaskSuccess (approve/edit) or SendTaskFailure (reject).
 * A timeout moves to the next level, or to the step's final-timeout state after the last one.
 */
/** Workflow-wide policy an approval function applies: categories that always need review, autonomy rules by `route/path`. */
export interface ApprovalPolicy {
  readonly alwaysReview: { category: string; when: RouteCondition[] }[];
  readonly autonomy: Record<string, AutonomyRule>;
}

export function approvalTask(step: StepOf<'approval'>, level: ApprovalLevel, isLast: boolean, next: string, requesterField?: string, policy?: ApprovalPolicy): TaskState {
  return {
    Type: 'Task',
    Comment: `approval ${step.id}, level ${level.level}: ${level.reviewersFromInput ? `input.${level.reviewersFromInput}` : level.reviewers.join(', ')}`,
    Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
    Parameters: {
      FunctionName: functionRef('approval'),
      Payload: {
        step,
        level: level.level,
        reviewers: level.reviewers,
        timeoutSeconds: level.timeoutSeconds,
        ...(level.partReviewers ? { partReviewers: level.partReviewers } : {}),
        ...(requesterField ? { requesterField } : {}),
        ...(policy && (policy.alwaysReview.length || Object.keys(policy.autonomy).length) ? { policy } : {}),
        'state.$': '$',
        'taskToken.$': '$$.Task.Token',
      },
    },
    ResultPath: '$.approval',
    TimeoutSeconds: level.timeoutSeconds,
    Retry: [lambdaServiceRetry],
    Catch: [
      { ErrorEquals: [ERROR_NAMES.approvalRejected], ResultPath: '$.rejection', Next: RUN_REJECTED_STATE },
      { ErrorEquals: [ERROR_NAMES.timeout], ResultPath: '$.timeout', Next: isLast ? approvalTimedOutStateName(step.id) : approvalStateName(step.id, level.level + 1) },
    ],
    Next: next,
  };
}

/** After the last level times out: expire the request, then reject, fail, or continue at a step. */
export function finalTimeoutTask(step: StepOf<'approval'>, lastLevel: number): TaskState {
  const expireApprovalId = { stepId: step.id, level: lastLevel };
  if (typeof step.onFinalTimeout === 'object') {
    return { ...finishTask({ expireApprovalId }), Comment: `approval ${step.id} timed out: continue at ${step.onFinalTimeout.route}`, End: undefined, Next: step.onFinalTimeout.route };
  }
  return finishTask({ status: step.onFinalTimeout === 'fail' ? 'failed' : 'approval_timed_out', expireApprovalId });
}

/** A `finish` task: records how the run ended, then the execution ends. */
export function finishTask(config: FinishConfig): TaskState {
  const task: TaskState = {
    Type: 'Task',
    Comment: `record run outcome: ${config.status}`,
    Resource: functionRef('finish'),
    Parameters: { finish: config, 'state.$': '$' },
    ResultPath: null,
    TimeoutSeconds: 60,
    Retry: [lambdaServiceRetry, { ErrorEquals: [ERROR_NAMES.all], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2 }],
    End: true,
  };
  return task;
}
