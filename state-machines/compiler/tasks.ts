/**
 * Task states for the Lambda-backed step kinds. Every task keeps the Lambda service-error retries
 * that CDK's LambdaInvoke adds by default, and a Catch-all that records the failure, so a run
 * is never left "running" and never delivered by accident.
 */
import { ERROR_NAMES } from '../../functions/shared/errors.js';
import { durationSeconds, type StepOf } from '../schema.js';
import type { Catcher, Retrier, TaskState } from './asl-types.js';
import { functionRef, type FinishConfig, type FunctionKind } from './function-kinds.js';

export const RUN_FAILED_STATE = 'run_failed';
export const RUN_REJECTED_STATE = 'run_rejected';
export const RUN_DELIVERY_FAILED_STATE = 'run_delivery_failed';
export const RUN_COMPLETED_STATE = 'run_completed';

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

const catchAll: Catcher = { ErrorEquals: [ERROR_NAMES.all], ResultPath: '$.error', Next: RUN_FAILED_STATE };

/** A step task: the function gets `{ step, state }` and its result lands at `$.steps.<id>`. */
export function stepTask(kind: FunctionKind, step: { id: string }, next: string | undefined, catches: Catcher[] = []): TaskState {
  return {
    Type: 'Task',
    Comment: `${kind} step ${step.id}`,
    Resource: functionRef(kind),
    Parameters: { step, 'state.$': '$' },
    ResultPath: `$.steps.${step.id}`,
    TimeoutSeconds: 300,
    Retry: [lambdaServiceRetry],
    Catch: [...catches, catchAll],
    ...(next ? { Next: next } : { End: true as const }),
  };
}

export function approvalStateName(stepId: string, level: number): string {
  return level === 0 ? stepId : `${stepId}__escalated`;
}

/**
 * One level of an approval: the function stores the request (with the task token) and the
 * state waits until a decision calls SendTaskSuccess (approve/edit) or SendTaskFailure (reject).
 */
export function approvalTask(step: StepOf<'approval'>, level: 0 | 1, next: string): TaskState {
  const reviewers = level === 0 ? step.reviewers : (step.escalateTo ?? []);
  const timeout = durationSeconds(level === 0 ? step.timeout : step.escalationTimeout);
  const canEscalate = level === 0 && Boolean(step.escalateTo?.length);
  const onTimeout = canEscalate ? approvalStateName(step.id, 1) : `${step.id}__timed_out`;
  return {
    Type: 'Task',
    Comment: `approval ${step.id}, level ${level}: ${reviewers.join(', ')}`,
    Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
    Parameters: {
      FunctionName: functionRef('approval'),
      Payload: { step, level, reviewers, timeoutSeconds: timeout, 'state.$': '$', 'taskToken.$': '$$.Task.Token' },
    },
    ResultPath: '$.approval',
    TimeoutSeconds: timeout,
    Retry: [lambdaServiceRetry],
    Catch: [
      { ErrorEquals: [ERROR_NAMES.approvalRejected], ResultPath: '$.rejection', Next: RUN_REJECTED_STATE },
      { ErrorEquals: [ERROR_NAMES.timeout], ResultPath: '$.timeout', Next: onTimeout },
      catchAll,
    ],
    Next: next,
  };
}

/** A `finish` task: records how the run ended, then the execution ends. */
export function finishTask(config: FinishConfig): TaskState {
  return {
    Type: 'Task',
    Comment: `record run outcome: ${config.status}`,
    Resource: functionRef('finish'),
    Parameters: { finish: config, 'state.$': '$' },
    ResultPath: null,
    TimeoutSeconds: 60,
    Retry: [lambdaServiceRetry, { ErrorEquals: [ERROR_NAMES.all], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2 }],
    End: true,
  };
}
