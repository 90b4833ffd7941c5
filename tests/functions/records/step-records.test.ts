/**
 * Step records against dynalite: concurrent writes share BatchWriteItem requests (group commit),
 * every record lands, a key written twice in one turn is not refused, and items DynamoDB leaves
 * unprocessed are retried.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRun, getRunWithSteps, putStepRecord, type StepRecord } from '../../../functions/records/runs.js';
import { documentClient } from '../../../functions/shared/aws-clients.js';
import { ENV } from '../../../functions/shared/env-names.js';
import { startEmulatorEnv, stringKeys, type EmulatorEnv } from '../../support/emulator-env.js';

let env: EmulatorEnv;

beforeAll(async () => {
  env = await startEmulatorEnv({ name: 'runs', env: { [ENV.runsTable]: 'test-runs' }, tables: [{ TableName: 'test-runs', ...stringKeys('runId', 'sk') }] });
});
afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  await env?.stop();
});

const run = (runId: string) => {
  const at = new Date().toISOString();
  return { runId, workflowId: 'wf', workflowVersion: 'v', status: 'running' as const, input: {}, createdAt: at, updatedAt: at };
};

const step = (runId: string, stepId: string, note = ''): StepRecord => ({
  runId,
  stepId,
  kind: 'generate',
  status: 'succeeded',
  startedAt: new Date().toISOString(),
  finishedAt: new Date().toISOString(),
  latencyMs: 1,
  output: { note },
});

describe('step records', () => {
  it('writes concurrent records in shared BatchWriteItem requests, and every one lands', async () => {
    const send = vi.spyOn(documentClient(), 'send');
    const runIds = Array.from({ length: 30 }, (_, i) => `run-batch-${i}`);
    await Promise.all(runIds.map((runId) => createRun(run(runId))));
    send.mockClear();
    await Promise.all(runIds.flatMap((runId) => [putStepRecord(step(runId, 'a')), putStepRecord(step(runId, 'b'))]));
    const commands = send.mock.calls.map(([command]) => command.constructor.name);
    expect(commands).toEqual(['BatchWriteCommand', 'BatchWriteCommand', 'BatchWriteCommand']); // 60 records, 25 per request
    for (const runId of runIds) expect((await getRunWithSteps(runId))!.steps.map((s) => s.stepId)).toEqual(expect.arrayContaining(['a', 'b']));
  });

  it('sends a lone record as a plain PutItem, and the same key twice in one turn in separate requests', async () => {
    await createRun(run('run-dup'));
    const send = vi.spyOn(documentClient(), 'send');
    await putStepRecord(step('run-dup', 'a', 'first'));
    expect(send.mock.calls.map(([c]) => c.constructor.name)).toEqual(['PutCommand']);
    await Promise.all([putStepRecord(step('run-dup', 'a', 'again')), putStepRecord(step('run-dup', 'a', 'again'))]);
    expect((await getRunWithSteps('run-dup'))!.steps).toEqual([expect.objectContaining({ stepId: 'a', output: { note: 'again' } })]);
  });

  it('retries the items DynamoDB leaves unprocessed', async () => {
    const client = documentClient();
    const real = client.send.bind(client);
    let first = true;
    vi.spyOn(client, 'send').mockImplementation((async (command: any) => {
      if (first && command.constructor.name === 'BatchWriteCommand') {
        first = false;
        const items = command.input.RequestItems['test-runs'];
        await real(new (command.constructor as any)({ RequestItems: { 'test-runs': items.slice(0, 1) } }));
        return { UnprocessedItems: { 'test-runs': items.slice(1) } };
      }
      return real(command);
    }) as any);
    await createRun(run('run-unprocessed'));
    await Promise.all(['a', 'b', 'c'].map((id) => putStepRecord(step('run-unprocessed', id))));
    expect((await getRunWithSteps('run-unprocessed'))!.steps.map((s) => s.stepId).sort()).toEqual(['a', 'b', 'c']);
  });
});
