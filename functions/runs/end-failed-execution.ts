/**
 * Ends the run of an execution that ended unsuccessfully, heard from the execution's status change
 * (EventBridge on AWS, the engine's events locally). A step that fails for good is not caught by
 * its state machine (state-machines/compiler/tasks.ts), so this is where its run goes to the human
 * queue: `delivery_failed` when the delivery failed, else `needs_human` (human-queue.ts), and from
 * there `npx handrail runs redrive` resumes the execution at the failed state. An execution that
 * exceeded a payload limit (`States.DataLimitExceeded`: it would fail the same way again), timed
 * out or was stopped ends its run `failed` (counted as an ended run with an error). Any request still
 * waiting for a reviewer is closed.
 */
import { closeApproval } from '../records/approvals.js';
import { recordAudit } from '../records/audit.js';
import { getRun, updateRun } from '../records/runs.js';
import { ConflictError, ERROR_NAMES } from '../shared/errors.js';
import { publishRunEnded } from '../shared/metrics.js';
import { countsOf } from '../../state-machines/rollout.js';
import { sendToHumanQueue } from './human-queue.js';
import { releaseOfRun } from './run-release.js';

export interface EndedExecution {
  /** The execution's name: Handrail names executions by runId. */
  readonly runId: string;
  /** Its ARN, to find the release the run ran on when the run record does not name it yet. */
  readonly executionArn?: string;
  readonly status: 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  readonly error?: string | null;
  readonly cause?: string | null;
}

/** Returns false when the run had already ended (its state machine recorded it) or is unknown. */
export async function endFailedExecution({ runId, executionArn, status, error, cause }: EndedExecution): Promise<boolean> {
  const run = await getRun(runId);
  if (!run || (run.status !== 'running' && run.status !== 'awaiting_approval')) return false;
  const reason = { error: error || `Execution${status === 'TIMED_OUT' ? 'TimedOut' : status === 'ABORTED' ? 'Aborted' : 'Failed'}`, cause: cause ?? `the execution ended ${status}` };
  if (status === 'FAILED' && reason.error !== DATA_LIMIT_EXCEEDED) {
    const queued = await sendToHumanQueue(run, reason.error === ERROR_NAMES.deliveryFailed ? 'delivery_failed' : 'needs_human', reason, executionArn);
    if (queued) await closeWaitingRequests(run.approvalIds, reason.error);
    return queued;
  }
  try {
    await updateRun(runId, { status: 'failed', error: reason }, { onlyIfStatusIn: ['running', 'awaiting_approval'] });
  } catch (err) {
    if (err instanceof ConflictError) return false; // it ended meanwhile
    throw err;
  }
  await recordAudit({ subject: runId, runId, type: 'run.execution_failed', actor: 'handrail', details: { status, ...reason } });
  await closeWaitingRequests(run.approvalIds, reason.error);
  // Counted as an ended run with an error, for its workflow and its release (the rollback alarms read it).
  if (!run.replay) publishRunEnded(run.workflowId, (await releaseOfRun(run, executionArn))?.releaseId, countsOf({ status: 'failed' }), false);
  return true;
}

/** A state over a payload limit: the execution would fail the same way if redriven. */
const DATA_LIMIT_EXCEEDED = 'States.DataLimitExceeded';

async function closeWaitingRequests(approvalIds: readonly string[] | undefined, error: string): Promise<void> {
  for (const approvalId of approvalIds ?? []) await closeApproval(approvalId, 'expired', `the run ended: ${error}`);
}
