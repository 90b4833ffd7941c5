/**
 * Typed errors. Step Functions Retry/Catch match on `name`, so a name here is part of the
 * contract between handlers and the compiled state machines (see state-machines/compiler).
 */
export class HandrailError extends Error {
  /** Whether retrying the same call may succeed. */
  readonly retryable: boolean = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class ConfigurationError extends HandrailError {}

/** Input that does not satisfy a schema; `field` names where. */
export class ValidationError extends HandrailError {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export class NotFoundError extends HandrailError {}

/** A conditional write lost: the item changed since it was read (e.g. a second decision). */
export class ConflictError extends HandrailError {}

/** The caller did not prove who they are (HTTP 401). */
export class UnauthorizedError extends HandrailError {}

/** The caller is known but may not do this (HTTP 403). */
export class ForbiddenError extends HandrailError {}

/** The request body is larger than the route accepts (HTTP 413); `limitBytes` says how large it may be. */
export class PayloadTooLargeError extends HandrailError {
  readonly field = 'body';
  constructor(readonly limitBytes: number) {
    super(`body: larger than ${formatBytes(limitBytes)} (${limitBytes} bytes), the most this route accepts`);
  }
}

/**
 * The caller sent more requests than its limit allows in the current window (HTTP 429): when it may
 * try again, and which limit (functions/limits/limits-config.ts) it went over.
 */
export class TooManyRequestsError extends HandrailError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number = 1,
    readonly limit?: { readonly kind: string; readonly requests: number; readonly windowSeconds: number },
  ) {
    super(message);
  }
}

/** "128 KB", "2 MB": limits as people read them. */
export function formatBytes(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KB`;
  return `${bytes} bytes`;
}

/** Every model in a generate step's chain failed; the step record lists each attempt. */
export class ModelChainExhausted extends HandrailError {}

/** The outbound webhook did not accept the delivery after every attempt. */
export class DeliveryFailed extends HandrailError {}

/** Names that the compiled state machines match in Catch blocks. */
export const ERROR_NAMES = {
  approvalRejected: 'ApprovalRejected',
  deliveryFailed: 'DeliveryFailed',
  modelChainExhausted: 'ModelChainExhausted',
  timeout: 'States.Timeout',
  all: 'States.ALL',
} as const;
