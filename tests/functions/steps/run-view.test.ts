/**
 * What a step sees of its run (functions/steps/run-view.ts), against dynalite: by default every
 * step its state says has run, read back whole; a kind that names the steps it `reads` gets only
 * those records read, and of the others only what the execution state carries. The deliver
 * step's reads: the generate step whose text it sends, nothing when it sends the approval's.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { createRun, putStepRecord, type StepRecord } from '../../../functions/records/runs.js';
import { documentClient } from '../../../functions/shared/aws-clients.js';
import { ENV } from '../../../functions/shared/env-names.js';
import type { ExecutionState } from '../../../functions/shared/step-contract.js';
import { loadRunView } from '../../../functions/steps/run-view.js';
import { startEmulatorEnv, stringKeys, type EmulatorEnv } from '../../support/emulator-env.js';

let env: EmulatorEnv;
let deliverReads: typeof import('../../../functions/steps/deliver/handler.js').deliverReads;

beforeAll(async () => {
  env = await startEmulatorEnv({ name: 'run-view', env: { [ENV.runsTable]: 'test-runs' }, tables: [{ TableName: 'test-runs', ...stringKeys('runId', 'sk') }] });
  ({ deliverReads } = await import('../../../functions/steps/deliver/handler.js'));
});
afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  await env?.stop();
});

const at = '2026-12-02T00:00:00.000Z';
const step = (runId: string, stepId: string, output: Record<string, unknown>): StepRecord => ({ runId, stepId, kind: 'generate', status: 'succeeded', startedAt: at, finishedAt: at, latencyMs: 1, output });

async function runWithSteps(runId: string): Promise<ExecutionState> {
  await createRun({ runId, workflowId: 'wf', workflowVersion: 'v', status: 'running', input: { ticketId: 'T-1' }, createdAt: at, updatedAt: at });
  await putStepRecord(step(runId, 'retrieve', { passages: [{ text: 'a passage' }], count: 1 }));
  await putStepRecord(step(runId, 'draft', { text: 'the draft', model: 'offline' }));
  // The execution state carries only what Choice states read (the `keep` paths).
  return { run: { runId, workflowId: 'wf', version: 'v' }, input: {}, steps: { retrieve: { count: 1 }, draft: {} } };
}

/** The step record keys each BatchGetItem asked for. */
function keysAsked(send: { mock: { calls: unknown[][] } }): string[] {
  return send.mock.calls
    .map(([command]) => command)
    .filter((command): command is BatchGetCommand => command instanceof BatchGetCommand)
    .flatMap((command) => Object.values(command.input.RequestItems ?? {}).flatMap((r) => (r.Keys ?? []).map((k) => String(k.sk))));
}

describe('a step reads its run', () => {
  it('whole by default: the input and every earlier step\'s record', async () => {
    const state = await runWithSteps('view-all');
    const send = vi.spyOn(documentClient(), 'send');
    const { state: seen } = await loadRunView(state);
    expect(seen.input).toEqual({ ticketId: 'T-1' });
    expect(seen.steps).toEqual({ retrieve: { passages: [{ text: 'a passage' }], count: 1 }, draft: { text: 'the draft', model: 'offline' } });
    expect(keysAsked(send).filter((k) => k.startsWith('step#')).sort()).toEqual(['step#draft', 'step#retrieve']);
  });

  it('only the steps it names: the others are not read, and keep what the execution state carries', async () => {
    const state = await runWithSteps('view-some');
    const send = vi.spyOn(documentClient(), 'send');
    const { state: seen, record } = await loadRunView(state, ['draft']);
    expect(record.runId).toBe('view-some');
    expect(seen.input).toEqual({ ticketId: 'T-1' });
    expect(seen.steps).toEqual({ retrieve: { count: 1 }, draft: { text: 'the draft', model: 'offline' } });
    expect(keysAsked(send).filter((k) => k.startsWith('step#'))).toEqual(['step#draft']);
  });

  it('none: the run record alone', async () => {
    const state = await runWithSteps('view-none');
    const send = vi.spyOn(documentClient(), 'send');
    const { state: seen } = await loadRunView(state, []);
    expect(seen.steps).toEqual(state.steps);
    expect(keysAsked(send)).toHaveLength(1);
    expect(keysAsked(send).filter((k) => k.startsWith('step#'))).toEqual([]);
  });
});

describe('what a deliver step reads', () => {
  const deliver = { id: 'send', kind: 'deliver' as const, maxAttempts: 4, timeoutMs: 10_000 };
  it('no step when it sends the approved text', () => {
    expect(deliverReads({ ...deliver, text: 'approval' })).toEqual([]);
  });
  it('the generate step whose text it sends', () => {
    expect(deliverReads({ ...deliver, text: 'draft' })).toEqual(['draft']);
  });
});
