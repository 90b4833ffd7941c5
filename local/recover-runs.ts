/**
 * What the local runtime does on start after the engine has continued its journaled executions
 * (stepfunctions/engine.ts `recover`), before the API listens, so that no run is left `running`
 * and no recorded decision is lost when the previous process was killed:
 *   1. runs whose execution could not be continued go to the human queue (`needs_human`) with why;
 *   2. after an unclean stop, runs recorded as running whose execution never started (the process
 *      died between the run record and StartExecution) are started from their record, and runs
 *      awaiting a decision whose execution is gone go to the human queue;
 *   3. decisions recorded before this start that their run may not have taken are sent again
 *      (functions/approvals/reconcile-decisions.ts).
 * On AWS, Step Functions keeps executions itself and the reconciler runs on a schedule.
 */
import { reconcileDecisions, type ReconcileReport } from '../functions/approvals/reconcile-decisions.js';
import { recordAudit } from '../functions/records/audit.js';
import { listRuns, updateRun, type RunRecord } from '../functions/records/runs.js';
import { startExecution } from '../functions/runs/start-run.js';
import { ConflictError } from '../functions/shared/errors.js';
import { workflowRegistry } from '../functions/shared/workflow-registry.js';
import type { LocalStepFunctions, LostExecution } from './stepfunctions/engine.js';

export interface RunRecovery {
  readonly lost: number;
  readonly restarted: number;
  readonly orphaned: number;
  readonly decisions: ReconcileReport;
}

async function toHumanQueue(runId: string, error: string, cause: string): Promise<void> {
  await recordAudit({ subject: runId, runId, type: 'run.needs_human', actor: 'handrail', details: { error, cause } });
  await updateRun(runId, { status: 'needs_human', error: { error, cause } }, { onlyIfStatusIn: ['running', 'awaiting_approval'] }).catch((err: unknown) => {
    if (!(err instanceof ConflictError)) throw err; // already ended, or no such run
  });
}

async function openRuns(): Promise<RunRecord[]> {
  const found: RunRecord[] = [];
  for (const status of ['running', 'awaiting_approval'] as const) {
    let cursor: string | undefined;
    do {
      const page = await listRuns({ status, limit: 100, cursor });
      found.push(...page.runs);
      cursor = page.nextCursor;
    } while (cursor);
  }
  return found;
}

/** `executionArnOf` names a run's execution (its state machine is named after the stage and workflow). */
export async function recoverRuns(
  engine: LocalStepFunctions,
  executionArnOf: (run: RunRecord) => string,
  lost: LostExecution[],
  uncleanStop: boolean,
  startedAt: Date,
): Promise<RunRecovery> {
  for (const execution of lost) await toHumanQueue(execution.name, 'ExecutionLost', execution.reason);
  let restarted = 0;
  let orphaned = 0;
  if (uncleanStop) {
    for (const run of await openRuns()) {
      if (engine.isRunning(executionArnOf(run))) continue;
      let reason = 'the local runtime stopped while the run was in flight, and its execution was not journaled';
      if (run.status === 'running') {
        try {
          const workflow = workflowRegistry().get(run.workflowId);
          if (!workflow) throw new Error(`workflow ${run.workflowId} is no longer deployed`);
          await startExecution(run, workflow.definition);
          await recordAudit({ subject: run.runId, runId: run.runId, type: 'run.restarted', actor: 'handrail', details: { reason: 'the local runtime stopped before the run had started' } });
          restarted++;
          continue;
        } catch (err) {
          reason = `the local runtime stopped before the run had started, and it could not be started: ${(err as Error).message}`;
        }
      }
      await toHumanQueue(run.runId, 'ExecutionLost', reason);
      orphaned++;
    }
  }
  const decisions = await reconcileDecisions(startedAt);
  return { lost: lost.length, restarted, orphaned, decisions };
}
