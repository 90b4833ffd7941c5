/**
 * Starts a run: one conditional write of the run record, then StartExecution named by the runId.
 * An Idempotency-Key makes the runId deterministic, so a retried delivery finds the same run
 * instead of starting a second one; if the first attempt stopped between the two writes, the
 * retry starts the execution (StartExecution is idempotent for the same name and input).
 */
import { publishRunStarted } from '../shared/metrics.js';
import { createHash, randomUUID } from 'node:crypto';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { RunRecord } from '../records/runs.js';
import { createRun, getRun, updateRun } from '../records/runs.js';
import { releaseFor } from '../releases/deployed.js';
import { sfnClient } from '../shared/aws-clients.js';
import { ENV } from '../shared/env-names.js';
import { requireEnv } from '../shared/env.js';
import { liveAliasArn } from '../shared/live-alias.js';
import { ConflictError } from '../shared/errors.js';
import { pickPaths } from '../shared/pick-paths.js';
import { expiresAfter } from '../shared/ttl.js';
import type { ExecutionState } from '../shared/step-contract.js';
import type { RegisteredWorkflow } from '../shared/workflow-registry.js';
import { statePathsRead } from '../../state-machines/compiler/state-paths.js';
import type { Workflow } from '../../state-machines/schema.js';
import { retentionDays } from '../../state-machines/retention.js';

export interface StartedRun {
  readonly runId: string;
  readonly duplicate: boolean;
}

function runIdFor(workflowId: string, idempotencyKey: string | undefined): string {
  if (!idempotencyKey) return `run-${Date.now().toString(36)}-${randomUUID().slice(0, 13)}`;
  return `run-key-${createHash('sha256').update(`${workflowId}\n${idempotencyKey}`).digest('hex').slice(0, 32)}`;
}

const inputHash = (input: unknown) => createHash('sha256').update(JSON.stringify(input)).digest('hex').slice(0, 32);

export async function startRun(workflow: RegisteredWorkflow, input: Record<string, unknown>, idempotencyKey?: string): Promise<StartedRun> {
  const workflowId = workflow.definition.id;
  const runId = runIdFor(workflowId, idempotencyKey);
  // The release now deployed, recorded before a run can name it (the run names the release that
  // serves it, which its state machine's first state sets: during a canary, either of two).
  await releaseFor(workflowId);
  const started = new Date();
  const now = started.toISOString();
  // The workflow's retention as the run starts: its steps and approvals expire by it (shared/ttl.ts expiryOf).
  const retention = retentionDays(workflow.definition.retention);
  const created = await createRun({
    runId,
    workflowId,
    workflowVersion: workflow.version,
    status: 'running',
    input,
    createdAt: now,
    updatedAt: now,
    retention,
    expiresAt: expiresAfter(retention.runs, started),
    ...(idempotencyKey ? { idempotencyKey, inputHash: inputHash(input) } : {}),
  });
  const previous = created ? undefined : await getRun(runId);
  if (previous) {
    if (previous.inputHash !== inputHash(input)) throw new ConflictError(`Idempotency-Key "${idempotencyKey}" was already used with a different body`);
    if (previous.status !== 'start_failed' && previous.status !== 'running') return { runId, duplicate: true };
  }
  try {
    await startExecution({ runId, workflowId, workflowVersion: workflow.version, input }, workflow.definition);
  } catch (err) {
    // The execution of a retried start may exist already (it started, or even finished): that is this run.
    if (!created && (err as Error).name === 'ExecutionAlreadyExists') return { runId, duplicate: true };
    await updateRun(runId, { status: 'start_failed', error: { error: (err as Error).name, cause: (err as Error).message } });
    // A stage after the first has no live alias until a release is promoted to it (functions/releases/promote.ts).
    if ((err as Error).name === 'ResourceNotFound') throw new ConflictError(`No release of ${workflowId} is live in this stage yet: promote one from the stage before (npx handrail promote ${workflowId} --from <stage> --to <this stage>), then send this again`);
    throw err;
  }
  if (previous?.status === 'start_failed') await updateRun(runId, { status: 'running' });
  publishRunStarted(workflowId);
  return { runId, duplicate: !created };
}

/**
 * StartExecution for a recorded run through the workflow's live alias, named by its runId, with the initial state built from the
 * record (so a run recorded before a crash can be started from its record). The state carries only
 * the input fields the workflow's route conditions read; the steps read the rest from the record.
 */
export async function startExecution(run: Pick<RunRecord, 'runId' | 'workflowId' | 'workflowVersion' | 'input'>, workflow: Workflow): Promise<void> {
  const state: ExecutionState = {
    run: { runId: run.runId, workflowId: run.workflowId, version: run.workflowVersion },
    input: pickPaths(run.input, statePathsRead(workflow).input),
    steps: {},
  };
  await sfnClient().send(
    new StartExecutionCommand({ stateMachineArn: liveAliasArn(requireEnv(ENV.stateMachinePrefix), run.workflowId), name: run.runId, input: JSON.stringify(state) }),
  );
}
