/**
 * Errors of the local Step Functions service. `SfnServiceError.code` is the exception name the
 * real API returns (the SDK turns it into `ExecutionDoesNotExist`, `TaskTimedOut`, ...).
 */
export type SfnErrorCode =
  | 'ExecutionAlreadyExists'
  | 'ExecutionDoesNotExist'
  | 'InvalidArn'
  | 'InvalidDefinition'
  | 'InvalidExecutionInput'
  | 'InvalidName'
  | 'InvalidOutput'
  | 'InvalidToken'
  | 'StateMachineDoesNotExist'
  | 'TaskTimedOut'
  | 'ValidationException';

export class SfnServiceError extends Error {
  constructor(
    readonly code: SfnErrorCode,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

/**
 * An error raised inside a state. The interpreter matches Retry/Catch on `name` and a Catch
 * outputs `{ Error: name, Cause: message }`, so these two carry the ASL error and cause.
 */
export function stateError(name: string, cause: string): Error {
  const error = new Error(cause);
  error.name = name;
  return error;
}

/**
 * Thrown into a state whose execution has already closed (stopped, timed out, failed elsewhere).
 * The interpreter reads `isRetryable`/`isCatchable`; both false so an aborted execution neither
 * re-runs the state nor follows a Catch into more work.
 */
export class ExecutionClosedError extends Error {
  constructor() {
    super('The execution has already closed');
    this.name = 'States.Runtime';
  }
  get isRetryable(): boolean {
    return false;
  }
  get isCatchable(): boolean {
    return false;
  }
}
