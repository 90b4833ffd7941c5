/**
 * Errors of the local Step Functions service. `SfnServiceError.code` is the exception name the
 * real API returns (the SDK turns it into `ExecutionDoesNotExist`, `TaskTimedOut`, ...).
 */
export type SfnErrorCode =
  | 'ConflictException'
  | 'ExecutionAlreadyExists'
  | 'ExecutionDoesNotExist'
  | 'ExecutionNotRedrivable'
  | 'InvalidArn'
  | 'InvalidDefinition'
  | 'InvalidExecutionInput'
  | 'InvalidName'
  | 'InvalidOutput'
  | 'InvalidToken'
  | 'ResourceNotFound'
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

/** Step Functions' limit on a state's input, output and task result (UTF-8 bytes). */
export const PAYLOAD_LIMIT_BYTES = 262_144;

/** Whether `text` (a JSON payload) is over the payload limit. */
export function overPayloadLimit(text: string): boolean {
  return text.length > PAYLOAD_LIMIT_BYTES / 4 && Buffer.byteLength(text, 'utf8') > PAYLOAD_LIMIT_BYTES;
}

/**
 * A payload over 256 KB. As on AWS, it ends the execution: no Retry re-runs and no Catch (not even
 * States.ALL) handles it.
 */
export class DataLimitExceededError extends Error {
  constructor(stateName: string) {
    super(`The state/task '${stateName}' returned a result with a size exceeding the maximum number of bytes service limit.`);
    this.name = 'States.DataLimitExceeded';
  }
  get isRetryable(): boolean {
    return false;
  }
  get isCatchable(): boolean {
    return false;
  }
}
