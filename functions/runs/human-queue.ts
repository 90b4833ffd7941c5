/**
 * A run enters the human queue when a step failed for good (`needs_human`) or its approved text
 * could not be delivered (`delivery_failed`): the run records why and since when, its release's
 * counts say so, and the workflow's queue owners (its `owner` block, as the run's release resolved
 * it) are told through their channels with the error and a link, with the time their SLA ends.
 * Replays never reach the queue's owners (nothing of a replay is anyone's to act on).
 */
import { GROUP_PREFIX, membersOf } from '../../state-machines/group-refs.js';
import { durationSeconds, type QueueOwner } from '../../state-machines/schema.js';
import { countsOf } from '../../state-machines/rollout.js';
import { notifyQueueOwners } from '../notifications/notify-queue-owners.js';
import { getApproval } from '../records/approvals.js';
import { recordAudit } from '../records/audit.js';
import { enterHumanQueue, type QueueStatus } from '../records/human-queue.js';
import type { ReleaseRecord } from '../records/releases.js';
import type { RunRecord } from '../records/runs.js';
import { logger } from '../shared/logger.js';
import { publishRunEnded } from '../shared/metrics.js';
import { releaseOfRun } from './run-release.js';

export interface QueueReason {
  readonly error: string;
  readonly cause?: string;
}

/** The owner block's people, its groups expanded as the release resolved them (a group it lacks names nobody). */
export function ownerIdsOf(owner: QueueOwner, release: Pick<ReleaseRecord, 'manifest'>): string[] {
  return membersOf(owner.reviewers, release.manifest.groups).filter((id) => !id.startsWith(GROUP_PREFIX));
}

/** The decision a person made on the run's draft, for its release's counts (none: no decision reached it). */
async function lastDecision(run: RunRecord): Promise<'approved' | 'edited' | undefined> {
  const last = run.approvalIds?.at(-1);
  if (!last) return undefined;
  const approval = await getApproval(last);
  return approval?.status === 'approved' || approval?.status === 'edited' ? approval.status : undefined;
}

/** Returns false when the run had ended meanwhile (nothing recorded, nobody told). */
export async function sendToHumanQueue(run: RunRecord, status: QueueStatus, reason: QueueReason, executionArn?: string): Promise<boolean> {
  const release = await releaseOfRun(run, executionArn);
  const owner = run.replay ? undefined : release?.manifest.definition.owner;
  const at = new Date();
  const dueAt = owner ? new Date(at.getTime() + durationSeconds(owner.sla) * 1000).toISOString() : undefined;
  // The audit event first: once the status says needs_human, its reason is already on record.
  if (status === 'needs_human') await recordAudit({ subject: run.runId, runId: run.runId, type: 'run.needs_human', actor: 'handrail', details: { ...reason } });
  const entered = await enterHumanQueue(run.runId, { status, error: reason, at: at.toISOString(), dueAt, releaseId: release?.releaseId });
  if (!entered) return false;
  if (!run.replay) {
    const decision = status === 'delivery_failed' ? await lastDecision(run) : undefined;
    publishRunEnded(run.workflowId, release?.releaseId, countsOf({ status, decision }), status === 'delivery_failed');
  }
  if (!owner || !release) {
    if (!run.replay) logger.warn('a run is in the human queue and its workflow names no owner', { runId: run.runId, workflowId: run.workflowId, status });
    return true;
  }
  await notifyQueueOwners({ runId: run.runId, workflowId: run.workflowId, status, error: reason, queuedAt: at.toISOString(), dueAt }, owner, ownerIdsOf(owner, release));
  return true;
}
