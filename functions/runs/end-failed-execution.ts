/**
 * An execution that ended in a way its state machine could not record (a state over the 256 KB
 * payload limit, `States.DataLimitExceeded`, which no Catch handles; the execution's own timeout;
 * a StopExecution) would leave its run `running` or `awaiting_approval` forever. Heard from the
 * execution's status change (EventBridge on AWS, the engine's events locally), the run ends
 * `failed` with the reason, and any request still waiting for a reviewer is closed.
 */
import { closeApproval } from '../records/approvals.js';
import { recordAudit } from '../records/audit.js';
import { getRun, updateRun } from '../records/runs.js';
import { ConflictError } from '../shared/errors.js';

export interface EndedExecution {
  /** The execution's name: Handrail names executions by runId. */
  readonly runId: string;
  readonly status: 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  readonly error?: string | null;
  readonly cause?: string | null;
}

/** Returns false when the run had already ended (its state machine recorded it) or is unknown. */
export async function endFailedExecution({ runId, status, error, cause }: EndedExecution): Promise<boolean> {
  const run = await getRun(runId);
  if (!run || (run.status !== 'running' && run.status !== 'awaiting_approval')) return false;
  const reason = { error: error || `Execution${status === 'TIMED_OUT' ? 'TimedOut' : status === 'ABORTED' ? 'Aborted' : 'Failed'}`, cause: cause ?? `the execution ended ${status}` };
  try {
    await updateRun(runId, { status: 'failed', error: reason }, { onlyIfStatusIn: ['running', 'awaiting_approval'] });
  } catch (err) {
    if (err instanceof ConflictError) return false; // it ended meanwhile
    throw err;
  }
  await recordAudit({ subject: runId, runId, type: 'run.execution_failed', actor: 'handrail', details: { status, ...reason } });
  for (const approvalId of run.approvalIds ?? []) await closeApproval(approvalId, 'expired', `the run ended: ${reason.error}`);
  return true;
}
