/**
 * The human queue on the runs table: a run a step failed for good (`needs_human`) or whose
 * approved text could not be delivered (`delivery_failed`) carries `humanQueue: "open"` and
 * `queuedAt`, the keys of the sparse index `byHumanQueue`, until it is redriven. So the SLA sweep
 * reads only the runs waiting for a person, oldest first, never the whole table. Each write is one
 * conditional update of the run item, guarded by the status it moves from.
 */
import { ENV } from '../shared/env-names.js';
import { requireEnv } from '../shared/env.js';
import { queryAll, updateIf } from './dynamo-helpers.js';
import { RUN_SK, stripKeys, type RunRecord, type RunStatus } from './runs.js';

const runsTable = () => requireEnv(ENV.runsTable);

export const HUMAN_QUEUE_INDEX = 'byHumanQueue';
/** The one value of `humanQueue`: the run waits for a person. */
export const QUEUE_OPEN = 'open';
/** The statuses of a run in the human queue. */
export const QUEUE_STATUSES = ['needs_human', 'delivery_failed'] as const satisfies readonly RunStatus[];
export type QueueStatus = (typeof QUEUE_STATUSES)[number];
/** Statuses a run can be redriven from: the queue's, and `failed` (an execution stopped or timed out). */
export const REDRIVABLE_STATUSES = [...QUEUE_STATUSES, 'failed'] as const satisfies readonly RunStatus[];

export interface QueueEntry {
  readonly status: QueueStatus;
  readonly error: { error: string; cause?: string };
  readonly at: string;
  /** When the run is past its owner's SLA (none: its workflow names no owner). */
  readonly dueAt?: string;
  /** The release that ran it, when the run record did not have it yet. */
  readonly releaseId?: string;
}

/** Ends a running run in the queue. False when it had ended already (its state machine recorded it, or another event did). */
export async function enterHumanQueue(runId: string, entry: QueueEntry): Promise<boolean> {
  const values: Record<string, unknown> = {
    ':status': entry.status, ':error': entry.error, ':open': QUEUE_OPEN, ':at': entry.at, ':running': 'running', ':awaiting': 'awaiting_approval',
  };
  const sets = ['#status = :status', '#error = :error', 'humanQueue = :open', 'queuedAt = :at', 'updatedAt = :at'];
  if (entry.dueAt) {
    values[':due'] = entry.dueAt;
    sets.push('queueDueAt = :due');
  }
  if (entry.releaseId) {
    values[':release'] = entry.releaseId;
    sets.push('releaseId = if_not_exists(releaseId, :release)');
  }
  return updateIf({
    TableName: runsTable(),
    Key: { runId, sk: RUN_SK },
    UpdateExpression: `SET ${sets.join(', ')} REMOVE queueRemindedAt`,
    ConditionExpression: 'attribute_exists(runId) AND #status IN (:running, :awaiting)',
    ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
    ExpressionAttributeValues: values,
  });
}

/** Every run waiting in the queue, oldest first. */
export async function openQueue(): Promise<RunRecord[]> {
  const items = await queryAll({
    TableName: runsTable(),
    IndexName: HUMAN_QUEUE_INDEX,
    KeyConditionExpression: 'humanQueue = :open',
    ExpressionAttributeValues: { ':open': QUEUE_OPEN },
  });
  return items.map((i) => stripKeys(i) as unknown as RunRecord);
}

/** Claims this period's reminder of a queued run (compare-and-set on the last one), so two sweeps remind once. */
export function claimQueueReminder(runId: string, previous: string | undefined, at: string): Promise<boolean> {
  return updateIf({
    TableName: runsTable(),
    Key: { runId, sk: RUN_SK },
    UpdateExpression: 'SET queueRemindedAt = :at',
    ConditionExpression: previous ? 'humanQueue = :open AND queueRemindedAt = :previous' : 'humanQueue = :open AND attribute_not_exists(queueRemindedAt)',
    ExpressionAttributeValues: { ':at': at, ':open': QUEUE_OPEN, ...(previous ? { ':previous': previous } : {}) },
  });
}

/**
 * Takes a run out of the queue to run again (a redrive): `running`, its error and queue keys gone,
 * its redrive counted. Only from the status it was read in, so two redrives cannot both win.
 */
export function leaveHumanQueue(runId: string, from: RunStatus, at: string): Promise<boolean> {
  return updateIf({
    TableName: runsTable(),
    Key: { runId, sk: RUN_SK },
    UpdateExpression: 'SET #status = :running, updatedAt = :at, redriveCount = if_not_exists(redriveCount, :zero) + :one REMOVE humanQueue, queuedAt, queueDueAt, queueRemindedAt, #error',
    ConditionExpression: '#status = :from',
    ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
    ExpressionAttributeValues: { ':running': 'running', ':at': at, ':from': from, ':zero': 0, ':one': 1 },
  });
}

/** Puts a run back as it was when a redrive could not be started (the execution is not redrivable). */
export function returnToQueue(runId: string, run: Pick<RunRecord, 'status' | 'error' | 'queuedAt' | 'queueDueAt'>, at: string): Promise<boolean> {
  const queued = (QUEUE_STATUSES as readonly string[]).includes(run.status);
  const values: Record<string, unknown> = { ':status': run.status, ':running': 'running', ':at': at };
  const sets = ['#status = :status', 'updatedAt = :at'];
  if (run.error) {
    values[':error'] = run.error;
    sets.push('#error = :error');
  }
  if (queued) {
    Object.assign(values, { ':open': QUEUE_OPEN, ':queuedAt': run.queuedAt ?? at });
    sets.push('humanQueue = :open', 'queuedAt = :queuedAt');
    if (run.queueDueAt) {
      values[':due'] = run.queueDueAt;
      sets.push('queueDueAt = :due');
    }
  }
  return updateIf({
    TableName: runsTable(),
    Key: { runId, sk: RUN_SK },
    UpdateExpression: `SET ${sets.join(', ')} ADD redriveCount :minusOne`,
    ConditionExpression: '#status = :running',
    ExpressionAttributeNames: { '#status': 'status', ...(run.error ? { '#error': 'error' } : {}) },
    ExpressionAttributeValues: { ...values, ':minusOne': -1 },
  });
}
