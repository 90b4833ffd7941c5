/**
 * Per-caller throttling that holds across Lambda containers: fixed-window counters in DynamoDB.
 *
 * Why this design:
 * - API Gateway HTTP APIs (v2) throttle per stage and route only; they have no usage plans or API
 *   keys per client (REST APIs do), so a per-caller limit has to be the application's.
 * - Lambda runs many containers side by side, each with its own memory: a counter in memory would
 *   allow N times the limit with N containers, and forget it on every cold start. The count must
 *   live in one place every container writes to: the stage's DynamoDB.
 * - One request costs one small write: an atomic `UpdateItem ADD requests 1` on the item of the
 *   caller's current window, which answers with the new count (no read, no condition, no
 *   transaction; dynalite does the same locally). The item's key names the window, so a new window
 *   starts at zero without a reset write; the table's TTL deletes old windows.
 * - Hybrid, still exact across containers: once a container sees a caller over the limit, it
 *   remembers that until the window ends and refuses the caller's next requests without writing
 *   (rate-limiter-flexible calls this `inMemoryBlockOnConsumed`). The over-limit fact cannot become
 *   false within the window, so this never refuses what the shared count would admit; it makes a
 *   flood cost one write per container per window instead of one per request.
 * - Fixed windows, not sliding ones: a sliding window needs the previous window's count too (a
 *   second read per request) or a read-modify-write; the cost is that a caller can send up to twice
 *   the limit across a window boundary. Limits are set with that in mind.
 * - Exactly one request per caller and window sees the count `limit + 1`: that one is the "first
 *   refusal", which the API audits (one event per caller per window, however long the flood).
 * - If the counter cannot be written (DynamoDB throttling or unavailable), the request is admitted
 *   and the failure logged: the limiter must not turn a hiccup of its store into an outage of the
 *   API; API Gateway's stage limits still bound the total.
 */
import { logger } from '../shared/logger.js';
import type { CallerKind, Limit } from './limits-config.js';

/** Adds one request to a window's counter and returns its new count (records/throttle-counters.ts). */
export type CountRequest = (bucket: string, expiresAt: number) => Promise<number>;

export interface ThrottleDecision {
  readonly allowed: boolean;
  readonly kind: CallerKind;
  readonly limit: Limit;
  /** Seconds until the caller's window ends (when a refused caller may try again). */
  readonly retryAfterSeconds: number;
  /** True for exactly one refused request per caller and window (across containers). */
  readonly firstRefusal: boolean;
}

/** Refused callers a container remembers at most (the oldest are forgotten first; each then costs one write more). */
const MAX_REMEMBERED = 10_000;
/** A window's counter outlives its window by this much before TTL may delete it (clock skew between containers). */
const TTL_GRACE_SECONDS = 60;

export class Throttle {
  /** Buckets known to be over their limit in this container, with when their window ends (ms). */
  private readonly refused = new Map<string, number>();

  constructor(
    private readonly limits: Readonly<Record<CallerKind, Limit>>,
    private readonly count: CountRequest,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request of `caller` (a kind's own id: a user id, an API key id, an IP) and says whether it may go on. */
  async consume(kind: CallerKind, caller: string): Promise<ThrottleDecision> {
    const limit = this.limits[kind];
    const now = this.now();
    const windowMs = limit.windowSeconds * 1000;
    const index = Math.floor(now / windowMs);
    const endsAt = (index + 1) * windowMs;
    // The caller comes last: nothing it contains can make two buckets' keys equal.
    const bucket = `${kind}#${limit.windowSeconds}#${index}#${caller}`;
    const decision = (allowed: boolean, firstRefusal = false): ThrottleDecision => ({
      allowed,
      kind,
      limit,
      retryAfterSeconds: Math.max(1, Math.ceil((endsAt - now) / 1000)),
      firstRefusal,
    });
    if (this.refused.has(bucket)) return decision(false);
    let requests: number;
    try {
      requests = await this.count(bucket, Math.ceil(endsAt / 1000) + TTL_GRACE_SECONDS);
    } catch (err) {
      logger.error('request counter not written; the request is admitted unthrottled', { kind, error: err as Error });
      return decision(true);
    }
    if (requests <= limit.requests) return decision(true);
    this.remember(bucket, endsAt, now);
    return decision(false, requests === limit.requests + 1);
  }

  private remember(bucket: string, endsAt: number, now: number): void {
    if (this.refused.size >= MAX_REMEMBERED) {
      for (const [key, ends] of this.refused) if (ends <= now) this.refused.delete(key);
      // Still full: forget the oldest (insertion order).
      while (this.refused.size >= MAX_REMEMBERED) this.refused.delete(this.refused.keys().next().value!);
    }
    this.refused.set(bucket, endsAt);
    // Forgotten when its window ends, so the map holds only live refusals.
    setTimeout(() => this.refused.delete(bucket), endsAt - now).unref();
  }
}
