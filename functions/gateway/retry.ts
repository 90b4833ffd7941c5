/**
 * Backoff between attempts on the same model: exponential with full jitter, so many runs hitting a
 * throttled model at once spread out instead of retrying in lockstep.
 */
export const BACKOFF_BASE_MS = 200;
export const BACKOFF_CAP_MS = 2000;
/** A server's Retry-After is honoured, but never lets one step stall beyond this. */
export const RETRY_AFTER_CAP_MS = 5000;

/** Delay before the attempt after `attempt` (1-based) failed; `random` is injectable for tests. */
export function backoffMs(attempt: number, retryAfterMs?: number, random: () => number = Math.random): number {
  if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs >= 0) {
    return Math.min(retryAfterMs, RETRY_AFTER_CAP_MS);
  }
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}
