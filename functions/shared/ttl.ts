/**
 * The attribute DynamoDB's time to live reads (epoch seconds): items that carry it are deleted
 * by DynamoDB after that time. Shared by the table definition (infra/constructs/data-layer.ts)
 * and the writers of expiring items (Slack nonces, runs, step records, approvals), so the two
 * cannot drift apart.
 */
import type { RetentionDays, RetentionKind } from '../../state-machines/retention.js';

export const TTL_ATTRIBUTE = 'expiresAt';

const DAY_SECONDS = 86_400;

/** Epoch seconds `days` days after `from`: when DynamoDB may delete an item written at `from`. */
export function expiresAfter(days: number, from: Date): number {
  return Math.floor(from.getTime() / 1000) + days * DAY_SECONDS;
}

/**
 * The TTL attribute of a record of `kind` written at `at`, under the retention its run started
 * with (the run record's `retention`); none for a run recorded before runs carried one, which is
 * kept as it always was.
 *
 * @example putStepRecord({ ...step, ...expiryOf(record.retention, 'steps', finishedAt) })
 */
export function expiryOf(retention: RetentionDays | undefined, kind: RetentionKind, at: Date): { expiresAt?: number } {
  return retention ? { [TTL_ATTRIBUTE]: expiresAfter(retention[kind], at) } : {};
}
