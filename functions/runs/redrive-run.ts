/**
 * Resumes a run from the step that failed: Step Functions RedriveExecution continues its execution
 * at the failed state with that state's input (the steps before it are not run again; a redriven
 * approval asks its reviewers again, a redriven delivery delivers again, at most once as ever).
 * The run leaves the human queue first, conditionally on the status it was read in, so two
 * redrives cannot both start one; if Step Functions refuses (an execution that cannot be redriven:
 * it succeeded, is too old, or was lost), the run goes back as it was and the caller is told why.
 */
import { RedriveExecutionCommand } from '@aws-sdk/client-sfn';
import { recordAudit } from '../records/audit.js';
import { leaveHumanQueue, REDRIVABLE_STATUSES, returnToQueue } from '../records/human-queue.js';
import { getRun, type RunStatus } from '../records/runs.js';
import { sfnClient } from '../shared/aws-clients.js';
import { ENV } from '../shared/env-names.js';
import { requireEnv } from '../shared/env.js';
import { ConflictError, NotFoundError } from '../shared/errors.js';
import { executionArnOf } from '../shared/live-alias.js';

export interface Redriven {
  readonly runId: string;
  readonly status: 'running';
  /** The status it left. */
  readonly from: RunStatus;
  readonly redriveCount: number;
  readonly redrivenAt: string;
}

const REFUSALS = new Set(['ExecutionNotRedrivable', 'ExecutionDoesNotExist', 'ExecutionLimitExceeded']);

export async function redriveRun(runId: string, actor: string, reason?: string): Promise<Redriven> {
  const run = await getRun(runId);
  if (!run) throw new NotFoundError(`Run ${runId} not found`);
  if (!(REDRIVABLE_STATUSES as readonly string[]).includes(run.status)) {
    throw new ConflictError(`Run ${runId} is ${run.status}: only a run that is ${REDRIVABLE_STATUSES.join(', ')} can be redriven`);
  }
  if (run.replay) throw new ConflictError(`Run ${runId} is a replay: start the replay again instead`);
  const at = new Date().toISOString();
  if (!(await leaveHumanQueue(runId, run.status, at))) throw new ConflictError(`Run ${runId} changed while it was being redriven; read it again`);
  const executionArn = executionArnOf(requireEnv(ENV.stateMachinePrefix), run.workflowId, runId);
  try {
    await sfnClient().send(new RedriveExecutionCommand({ executionArn }));
  } catch (err) {
    await returnToQueue(runId, run, new Date().toISOString());
    const name = (err as Error).name;
    if (REFUSALS.has(name)) throw new ConflictError(`Run ${runId} cannot be redriven: ${(err as Error).message || name}`);
    throw err;
  }
  const redriveCount = (run.redriveCount ?? 0) + 1;
  await recordAudit({ subject: runId, runId, type: 'run.redriven', actor, details: { from: run.status, error: run.error, redriveCount, ...(reason ? { reason } : {}) } });
  return { runId, status: 'running', from: run.status, redriveCount, redrivenAt: at };
}
