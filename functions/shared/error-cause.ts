/**
 * What a person reads of a Step Functions error's cause: a Lambda error's cause is its JSON
 * envelope (errorType, errorMessage, trace), whose message is the part that says what happened.
 */
export function readableCause(cause: string): string {
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string' && parsed.errorMessage) return parsed.errorMessage;
  } catch {
    /* not JSON: as it is */
  }
  return cause;
}
