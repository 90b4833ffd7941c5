/**
 * The human queue's SLA, swept on the reminders schedule: runs waiting past their owner's SLA are
 * counted per workflow (the HumanQueuePastSla metric and alarm), and their owners are told again,
 * once per SLA period, each reminder claimed with a conditional write so overlapping sweeps never
 * remind twice. "Now" is the scheduled event's time, so a sweep can be run at any moment in tests.
 */
import { notifyQueueOwners } from '../notifications/notify-queue-owners.js';
import { claimQueueReminder, openQueue, QUEUE_STATUSES, type QueueStatus } from '../records/human-queue.js';
import { getRelease } from '../records/releases.js';
import type { RunRecord } from '../records/runs.js';
import { publishQueuePastSla } from '../shared/metrics.js';
import { ownerIdsOf } from './human-queue.js';

export interface QueueSweep {
  readonly waiting: number;
  readonly pastSla: number;
  readonly reminded: number;
}

/** Past its SLA, and its last reminder (if any) at least one SLA period ago. */
export function dueForQueueReminder(run: Pick<RunRecord, 'queuedAt' | 'queueDueAt' | 'queueRemindedAt'>, now: number): boolean {
  if (!run.queueDueAt || !run.queuedAt || now < Date.parse(run.queueDueAt)) return false;
  if (!run.queueRemindedAt) return true;
  const period = Date.parse(run.queueDueAt) - Date.parse(run.queuedAt);
  return now - Date.parse(run.queueRemindedAt) >= period;
}

export async function sweepQueueSla(now: number): Promise<QueueSweep> {
  const waiting = (await openQueue()).filter((r): r is RunRecord & { status: QueueStatus } => (QUEUE_STATUSES as readonly string[]).includes(r.status));
  const late = waiting.filter((r) => r.queueDueAt && now >= Date.parse(r.queueDueAt));
  const byWorkflow = new Map<string, number>();
  for (const r of late) byWorkflow.set(r.workflowId, (byWorkflow.get(r.workflowId) ?? 0) + 1);
  publishQueuePastSla(byWorkflow);
  let reminded = 0;
  for (const run of late.filter((r) => dueForQueueReminder(r, now))) {
    const at = new Date(now).toISOString();
    if (!(await claimQueueReminder(run.runId, run.queueRemindedAt, at))) continue;
    const release = run.releaseId ? await getRelease(run.releaseId) : undefined;
    const owner = release?.manifest.definition.owner;
    if (!owner || !release) continue;
    await notifyQueueOwners(
      { runId: run.runId, workflowId: run.workflowId, status: run.status, error: run.error ?? { error: 'Unknown' }, queuedAt: run.queuedAt!, dueAt: run.queueDueAt, overdue: true },
      owner,
      ownerIdsOf(owner, release),
    );
    reminded++;
  }
  return { waiting: waiting.length, pastSla: late.length, reminded };
}
