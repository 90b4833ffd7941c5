/**
 * Consistent reads by key against dynalite: the run-view reads of concurrent steps (a run, its
 * step records, a decided approval) share BatchGetItem requests across tables, each caller gets
 * its own items in the order asked, keys asked twice are asked once, more than 100 keys take more
 * requests, and keys DynamoDB leaves unprocessed are asked again.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { readItems } from '../../../functions/records/consistent-reads.js';
import { createRun, getRunAndSteps, putStepRecord, type StepRecord } from '../../../functions/records/runs.js';
import { documentClient } from '../../../functions/shared/aws-clients.js';
import { ENV } from '../../../functions/shared/env-names.js';
import { startEmulatorEnv, stringKeys, type EmulatorEnv } from '../../support/emulator-env.js';

let env: EmulatorEnv;

beforeAll(async () => {
  env = await startEmulatorEnv({
    name: 'reads',
    env: { [ENV.runsTable]: 'test-runs' },
    tables: [
      { TableName: 'test-runs', ...stringKeys('runId', 'sk') },
      { TableName: 'test-approvals', AttributeDefinitions: [{ AttributeName: 'approvalId', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'approvalId', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' },
    ],
  });
});
afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  await env?.stop();
});

const run = (runId: string) => {
  const at = new Date().toISOString();
  return { runId, workflowId: 'wf', workflowVersion: 'v', status: 'running' as const, input: { ticket: runId }, createdAt: at, updatedAt: at };
};

const step = (runId: string, stepId: string, startedAt: string): StepRecord => ({
  runId,
  stepId,
  kind: 'generate',
  status: 'succeeded',
  startedAt,
  finishedAt: startedAt,
  latencyMs: 1,
  output: { from: `${runId}/${stepId}` },
});

const commandsSent = (send: { mock: { calls: unknown[][] } }) => send.mock.calls.map(([c]) => (c as object).constructor.name);

describe('consistent reads by key', () => {
  it("reads a run and the steps its state names, in the order they ran, and nothing of steps it doesn't name", async () => {
    await createRun(run('run-view'));
    await putStepRecord(step('run-view', 'draft', '2026-12-02T00:00:02.000Z'));
    await putStepRecord(step('run-view', 'retrieve', '2026-12-02T00:00:01.000Z'));
    await putStepRecord(step('run-view', 'later', '2026-12-02T00:00:03.000Z'));
    const found = await getRunAndSteps('run-view', ['retrieve', 'draft', 'never_ran']);
    expect(found?.run).toMatchObject({ runId: 'run-view', input: { ticket: 'run-view' } });
    expect(found?.run).not.toHaveProperty('sk');
    expect(found?.steps.map((s) => s.stepId)).toEqual(['retrieve', 'draft']);
    expect(await getRunAndSteps('run-absent', ['retrieve'])).toBeUndefined();
  });

  it('sends the reads of one turn, of two tables, as one BatchGetItem; reads asked while it is in flight go together in the next', async () => {
    const runIds = Array.from({ length: 12 }, (_, i) => `run-shared-${i}`);
    await Promise.all(runIds.map((runId) => createRun(run(runId))));
    await documentClient().send(new (await import('@aws-sdk/lib-dynamodb')).PutCommand({ TableName: 'test-approvals', Item: { approvalId: 'ap-1', status: 'approved' } }));
    const send = vi.spyOn(documentClient(), 'send');
    const [first, approval] = await Promise.all([getRunAndSteps(runIds[0]!, []), readItems('test-approvals', ['approvalId'], [{ approvalId: 'ap-1' }, { approvalId: 'ap-absent' }])]);
    expect(commandsSent(send)).toEqual(['BatchGetCommand']);
    expect(first?.run.runId).toBe(runIds[0]);
    expect(approval).toEqual([{ approvalId: 'ap-1', status: 'approved' }, undefined]);

    send.mockClear();
    const reads = runIds.map((runId) => getRunAndSteps(runId, ['a']));
    await new Promise((r) => setImmediate(r)); // the first request is in flight; the rest queue behind it
    const more = runIds.map((runId) => getRunAndSteps(runId, ['b']));
    const all = await Promise.all([...reads, ...more]);
    expect(all.map((f) => f?.run.runId)).toEqual([...runIds, ...runIds]);
    expect(commandsSent(send)).toEqual(['BatchGetCommand', 'BatchGetCommand']);
  });

  it('asks a key two readers want once, and splits more than 100 keys over several requests', async () => {
    await createRun(run('run-many'));
    const stepIds = Array.from({ length: 130 }, (_, i) => `s${String(i).padStart(3, '0')}`);
    await Promise.all(stepIds.map((id, i) => putStepRecord(step('run-many', id, new Date(Date.UTC(2026, 11, 2, 0, 0, i)).toISOString()))));
    const send = vi.spyOn(documentClient(), 'send');
    const [a, b] = await Promise.all([getRunAndSteps('run-many', stepIds), getRunAndSteps('run-many', stepIds.slice(0, 3))]);
    expect(a?.steps.map((s) => s.stepId)).toEqual(stepIds);
    expect(b?.steps.map((s) => s.stepId)).toEqual(stepIds.slice(0, 3));
    const keysSent = send.mock.calls.map(([c]) => ((c as { input: { RequestItems: Record<string, { Keys: unknown[] }> } }).input.RequestItems['test-runs']?.Keys.length ?? 0));
    expect(keysSent).toEqual([100, 31]); // 131 distinct keys: the run and 130 steps
  });

  it('asks again for the keys DynamoDB leaves unprocessed', async () => {
    await createRun(run('run-unprocessed'));
    await putStepRecord(step('run-unprocessed', 'a', '2026-12-02T00:00:01.000Z'));
    const client = documentClient();
    const real = client.send.bind(client);
    let first = true;
    vi.spyOn(client, 'send').mockImplementation((async (command: any) => {
      if (first && command.constructor.name === 'BatchGetCommand') {
        first = false;
        const { Keys, ...rest } = command.input.RequestItems['test-runs'];
        const out = await real(new (command.constructor as any)({ RequestItems: { 'test-runs': { ...rest, Keys: Keys.slice(0, 1) } } }));
        return { ...out, UnprocessedKeys: { 'test-runs': { ...rest, Keys: Keys.slice(1) } } };
      }
      return real(command);
    }) as any);
    expect((await getRunAndSteps('run-unprocessed', ['a']))?.steps.map((s) => s.stepId)).toEqual(['a']);
  });
});
