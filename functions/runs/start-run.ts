/**
 * Starts a run: one conditional write of the run record, then StartExecution named by the runId.
 * An Idempotency-Key makes the runId deterministic, so a retried delivery finds the same run
 * instead of starting a second one.
 */
import { createHash, randomUUID } from 'node:crypto';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { createRun, getRun, updateRun } from '../records/runs.js';
import { sfnClient } from '../shared/aws-clients.js';
import { ENV } from '../shared/env-names.js';
import { requireEnv } from '../shared/env.js';
import { ConflictError } from '../shared/errors.js';
import type { StateData } from '../shared/step-contract.js';
import type { RegisteredWorkflow } from '../shared/workflow-registry.js';

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
  const now = new Date().toISOString();
  const created = await createRun({
    runId,
    workflowId,
    workflowVersion: workflow.version,
    status: 'running',
    input,
    createdAt: now,
    updatedAt: now,
    ...(idempotencyKey ? { idempotencyKey, inputHash: inputHash(input) } : {}),
  });
  if (!created) {
    const existing = await getRun(runId);
    if (existing && existing.inputHash !== inputHash(input)) {
      throw new ConflictError(`Idempotency-Key "${idempotencyKey}" was already used with a different body`);
    }
    if (existing?.status !== 'start_failed') return { runId, duplicate: true };
  }
  const state: StateData = { run: { runId, workflowId, version: workflow.version }, input, steps: {} };
  try {
    await sfnClient().send(
      new StartExecutionCommand({ stateMachineArn: `${requireEnv(ENV.stateMachinePrefix)}${workflowId}`, name: runId, input: JSON.stringify(state) }),
    );
  } catch (err) {
    await updateRun(runId, { status: 'start_failed', error: { error: (err as Error).name, cause: (err as Error).message } });
    throw err;
  }
  if (!created) await updateRun(runId, { status: 'running' });
  return { runId, duplicate: !created };
}
