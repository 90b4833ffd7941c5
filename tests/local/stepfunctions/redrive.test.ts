/**
 * RedriveExecution: a FAILED, ABORTED or TIMED_OUT execution runs again from the top-level state it
 * was in (states before it are not run again), over the SDK and in the engine, and, with a
 * persistence directory, after a restart or an eviction.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  SendTaskFailureCommand,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { LocalStepFunctions } from '../../../local/stepfunctions/engine.js';
import { ExecutionJournal } from '../../../local/stepfunctions/journal.js';
import type { ExecutionClosedEvent, ExecutionRecord } from '../../../local/stepfunctions/types.js';
import { durableEngines, errorName, fnArn, lambdaError, nextTaskToken, startService, type Service } from './helpers.js';

/** Prepare → A → B → Done; B fails while its input's `id` is in `failOnce` (once), hangs while it is in `hang`. */
const pipeline = {
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Pass', Result: { prepared: true }, ResultPath: '$.prep', Next: 'A' },
    A: { Type: 'Task', Resource: fnArn('a'), ResultPath: '$.a', Next: 'B' },
    B: { Type: 'Task', Resource: fnArn('b'), ResultPath: '$.b', Next: 'Done' },
    Done: { Type: 'Pass', Result: 'done', ResultPath: '$.done', End: true },
  },
};
const failOnce = new Set<string>();
const hang = new Set<string>();
const stage = {
  a: ({ id }: { id: string }) => ({ a: id }),
  b: ({ id }: { id: string }) => {
    if (failOnce.delete(id)) throw lambdaError('Boom', `B failed for ${id}`);
    if (hang.has(id)) return new Promise(() => undefined);
    return { b: id };
  },
};

/** Prepare → Approve (waits for its token; no Catch) → Done. */
const approval = {
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Pass', Result: { prepared: true }, ResultPath: '$.prep', Next: 'Approve' },
    Approve: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: fnArn('notify'), Payload: { 'id.$': '$.id', 'taskToken.$': '$$.Task.Token' } },
      ResultPath: '$.decision',
      TimeoutSeconds: 3600,
      Next: 'Done',
    },
    Done: { Type: 'Pass', End: true },
  },
};

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

const calls = (svc: Service, fn: string, id: string) => (svc.calls.get(fn) ?? []).filter((p) => (p as { id?: string }).id === id);

describe('RedriveExecution over the SDK', () => {
  let svc: Service;
  let pipelineArn: string;
  let approvalArn: string;
  const closed: ExecutionClosedEvent[] = [];
  let slowBehaviour: () => unknown = () => ({});

  beforeAll(async () => {
    svc = await startService({ ...stage, notify: () => ({ notified: true }), slow: () => slowBehaviour(), first: () => ({ first: true }), x: () => 'x', y: ({ id }: { id: string }) => stage.b({ id }) });
    svc.engine.on('executionClosed', (event) => closed.push(event));
    pipelineArn = svc.engine.registerStateMachine({ name: 'pipeline', definition: pipeline });
    approvalArn = svc.engine.registerStateMachine({ name: 'approval', definition: approval });
  });
  afterAll(() => svc.close());

  async function failedAtB(id: string) {
    failOnce.add(id);
    const { executionArn } = await svc.client.send(new StartExecutionCommand({ stateMachineArn: pipelineArn, name: id, input: JSON.stringify({ id }) }));
    expect(await svc.engine.waitForExecution(executionArn!)).toMatchObject({ status: 'FAILED', error: 'Boom' });
    return executionArn!;
  }

  it('continues a failed execution at the state that failed, with its input; the states before it are not run again', async () => {
    const executionArn = await failedAtB('p1');
    const failed = await svc.client.send(new DescribeExecutionCommand({ executionArn }));
    expect(failed).toMatchObject({ status: 'FAILED', error: 'Boom', cause: 'B failed for p1', redriveCount: 0, redriveStatus: 'REDRIVABLE' });
    expect(failed.redriveDate).toBeUndefined();

    const { redriveDate } = await svc.client.send(new RedriveExecutionCommand({ executionArn }));
    expect(redriveDate).toBeInstanceOf(Date);
    await svc.engine.waitForExecution(executionArn);
    const described = await svc.client.send(new DescribeExecutionCommand({ executionArn }));
    expect(described).toMatchObject({
      executionArn, name: 'p1', status: 'SUCCEEDED', startDate: failed.startDate, input: failed.input, redriveCount: 1, redriveDate,
      redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven',
    });
    expect(described.error).toBeUndefined();
    expect(JSON.parse(described.output!)).toEqual({ id: 'p1', prep: { prepared: true }, a: { a: 'p1' }, b: { b: 'p1' }, done: 'done' });

    expect(calls(svc, 'a', 'p1')).toHaveLength(1);
    const b = calls(svc, 'b', 'p1');
    expect(b).toHaveLength(2);
    expect(b[1]).toEqual(b[0]);
    expect(b[0]).toEqual({ id: 'p1', prep: { prepared: true }, a: { a: 'p1' } });
    expect(closed.filter((e) => e.executionArn === executionArn).map((e) => e.status)).toEqual(['FAILED', 'SUCCEEDED']);

    // One history: the first attempt, ExecutionRedriven, then the new attempt from B on.
    const { events = [] } = await svc.client.send(new GetExecutionHistoryCommand({ executionArn }));
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === 'ExecutionStarted')).toHaveLength(1);
    expect(types.indexOf('ExecutionFailed')).toBeLessThan(types.indexOf('ExecutionRedriven'));
    expect(types.at(-1)).toBe('ExecutionSucceeded');
    expect(events.find((e) => e.type === 'ExecutionRedriven')?.executionRedrivenEventDetails).toEqual({ redriveCount: 1 });
    expect(events.map((e) => e.stateEnteredEventDetails?.name).filter(Boolean)).toEqual(['Prepare', 'A', 'B', 'B', 'Done']);
    events.forEach((event, i) => expect(event.id).toBe(i + 1));

    const { executions = [] } = await svc.client.send(new ListExecutionsCommand({ stateMachineArn: pipelineArn, redriveFilter: 'REDRIVEN' }));
    expect(executions.map((e) => e.executionArn)).toEqual([executionArn]);
    expect(executions[0]).toMatchObject({ redriveCount: 1, redriveDate });
    const notRedriven = await svc.client.send(new ListExecutionsCommand({ stateMachineArn: pipelineArn, redriveFilter: 'NOT_REDRIVEN' }));
    expect(notRedriven.executions?.map((e) => e.executionArn)).not.toContain(executionArn);
  });

  it('answers ExecutionNotRedrivable for succeeded and running executions, ExecutionDoesNotExist for unknown ones', async () => {
    const { executionArn: succeeded } = await svc.client.send(new StartExecutionCommand({ stateMachineArn: pipelineArn, input: '{"id":"ok"}' }));
    await svc.engine.waitForExecution(succeeded!);
    expect(await errorName(svc.client.send(new RedriveExecutionCommand({ executionArn: succeeded })))).toBe('ExecutionNotRedrivable');
    await expect(svc.engine.redriveExecution(succeeded!)).rejects.toMatchObject({ code: 'ExecutionNotRedrivable', message: 'Execution is SUCCEEDED and cannot be redriven.' });

    const issued = nextTaskToken(svc.engine);
    const { executionArn: running } = await svc.client.send(new StartExecutionCommand({ stateMachineArn: approvalArn, input: '{"id":"run"}' }));
    await issued;
    expect(await errorName(svc.client.send(new RedriveExecutionCommand({ executionArn: running })))).toBe('ExecutionNotRedrivable');
    await expect(svc.engine.redriveExecution(running!)).rejects.toMatchObject({ code: 'ExecutionNotRedrivable', message: 'Execution is RUNNING and cannot be redriven.' });
    expect(await svc.client.send(new DescribeExecutionCommand({ executionArn: running }))).toMatchObject({
      redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: 'Execution is RUNNING and cannot be redriven',
    });
    await svc.client.send(new StopExecutionCommand({ executionArn: running }));

    const unknown = 'arn:aws:states:us-east-1:000000000000:execution:pipeline:nope';
    expect(await errorName(svc.client.send(new RedriveExecutionCommand({ executionArn: unknown })))).toBe('ExecutionDoesNotExist');
    expect(await errorName(svc.client.send(new RedriveExecutionCommand({ executionArn: 'not-an-arn' })))).toBe('InvalidArn');
  });

  it('validates the request body', async () => {
    const call = async (body: unknown) => {
      const res = await fetch(svc.endpoint.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'AWSStepFunctions.RedriveExecution' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(400);
      return (await res.json()) as { __type: string; message: string };
    };
    const arn = 'arn:aws:states:us-east-1:000000000000:execution:pipeline:x';
    for (const [body, field] of [[{}, 'executionArn'], [{ executionArn: 7 }, 'executionArn'], [{ executionArn: arn, clientToken: '' }, 'clientToken'], [{ executionArn: arn, clientToken: 'x'.repeat(65) }, 'clientToken']] as const) {
      const answer = await call(body);
      expect(answer.__type).toMatch(/#ValidationException$/);
      expect(answer.message).toContain(`'${field}'`);
    }
  });

  it('redrives an aborted execution by running the task it was stopped in again', async () => {
    const slowCalls: unknown[] = [];
    slowBehaviour = () => new Promise(() => undefined); // stopped while it runs
    const arn = svc.engine.registerStateMachine({
      name: 'stoppable',
      definition: {
        StartAt: 'First',
        States: {
          First: { Type: 'Task', Resource: fnArn('first'), ResultPath: '$.first', Next: 'Work' },
          Work: { Type: 'Task', Resource: fnArn('slow'), Parameters: { 'n.$': '$.n', 'first.$': '$.first', 'redriven.$': '$$.Execution.RedriveCount' }, ResultPath: '$.work', End: true },
        },
      },
    });
    const firstBefore = svc.calls.get('first')?.length ?? 0;
    const slowBefore = svc.calls.get('slow')?.length ?? 0;
    const { executionArn } = await svc.client.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{"n":1}' }));
    await until(() => (svc.calls.get('slow')?.length ?? 0) > slowBefore, 'Work to run');
    await svc.client.send(new StopExecutionCommand({ executionArn, error: 'Cancelled', cause: 'by test' }));
    expect(await svc.client.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({ status: 'ABORTED', redriveStatus: 'REDRIVABLE' });

    slowBehaviour = () => ({ done: true });
    await svc.client.send(new RedriveExecutionCommand({ executionArn }));
    const done = await svc.engine.waitForExecution(executionArn!);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ n: 1, first: { first: true }, work: { done: true } });
    expect(svc.calls.get('first')!.length - firstBefore).toBe(1);
    slowCalls.push(...svc.calls.get('slow')!.slice(slowBefore));
    // Same input; the context object says it was redriven.
    expect(slowCalls).toEqual([{ n: 1, first: { first: true }, redriven: 0 }, { n: 1, first: { first: true }, redriven: 1 }]);
    // The first attempt's abort keeps its own error and cause.
    const { events = [] } = await svc.client.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(events.find((e) => e.type === 'ExecutionAborted')?.executionAbortedEventDetails).toEqual({ error: 'Cancelled', cause: 'by test' });
  });

  it('redrives a failed waitForTaskToken state with a new token, invoking its function again', async () => {
    const first = nextTaskToken(svc.engine);
    const { executionArn } = await svc.client.send(new StartExecutionCommand({ stateMachineArn: approvalArn, input: '{"id":"w1"}' }));
    const { token } = await first;
    await svc.client.send(new SendTaskFailureCommand({ taskToken: token, error: 'Rejected', cause: 'no' }));
    expect(await svc.engine.waitForExecution(executionArn!)).toMatchObject({ status: 'FAILED', error: 'Rejected' });

    const second = nextTaskToken(svc.engine);
    await svc.client.send(new RedriveExecutionCommand({ executionArn }));
    const reissued = await second;
    expect(reissued).toMatchObject({ executionArn, stateName: 'Approve' });
    expect(reissued.token).not.toBe(token);
    expect(calls(svc, 'notify', 'w1')).toEqual([{ id: 'w1', taskToken: token }, { id: 'w1', taskToken: reissued.token }]);
    await expect(svc.engine.sendTaskSuccess(token, '{}')).rejects.toMatchObject({ code: 'TaskTimedOut' });
    await svc.engine.sendTaskSuccess(reissued.token, '{"approved":true}');
    const done = await svc.engine.waitForExecution(executionArn!);
    expect(done).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    expect(JSON.parse(done.output!)).toEqual({ id: 'w1', prep: { prepared: true }, decision: { approved: true } });
  });

  it('redrives a timed-out execution with its execution timeout started over', async () => {
    let attempt = 0;
    slowBehaviour = () => (++attempt === 1 ? new Promise(() => undefined) : new Promise((r) => setTimeout(() => r({ late: true }), 1200)));
    const arn = svc.engine.registerStateMachine({
      name: 'timing-out',
      definition: { TimeoutSeconds: 2, StartAt: 'Work', States: { Work: { Type: 'Task', Resource: fnArn('slow'), End: true } } },
    });
    const { executionArn } = await svc.engine.startExecution({ stateMachineArn: arn });
    expect(await svc.engine.waitForExecution(executionArn)).toMatchObject({ status: 'TIMED_OUT', redriveStatus: 'REDRIVABLE' });
    // 2 s have passed since the start: had the timeout not started over, the 1.2 s task would time out.
    await svc.engine.redriveExecution(executionArn);
    expect(await svc.engine.waitForExecution(executionArn)).toMatchObject({ status: 'SUCCEEDED', output: '{"late":true}' });
  });

  it('runs the whole enclosing Parallel state again when a branch failed', async () => {
    const arn = svc.engine.registerStateMachine({
      name: 'parallel',
      definition: {
        StartAt: 'Both',
        States: {
          Both: {
            Type: 'Parallel',
            Branches: [
              { StartAt: 'X', States: { X: { Type: 'Task', Resource: fnArn('x'), End: true } } },
              { StartAt: 'Y', States: { Y: { Type: 'Task', Resource: fnArn('y'), End: true } } },
            ],
            End: true,
          },
        },
      },
    });
    const xBefore = svc.calls.get('x')?.length ?? 0;
    failOnce.add('par');
    const { executionArn } = await svc.engine.startExecution({ stateMachineArn: arn, input: '{"id":"par"}' });
    expect(await svc.engine.waitForExecution(executionArn)).toMatchObject({ status: 'FAILED' });
    await svc.engine.redriveExecution(executionArn);
    expect(await svc.engine.waitForExecution(executionArn)).toMatchObject({ status: 'SUCCEEDED', output: '["x",{"b":"par"}]' });
    expect(svc.calls.get('x')!.length - xBefore).toBe(2); // AWS would not run the branch that succeeded again
  });

  it('answers a repeated client token with the same redrive date; another token or none finds it running', async () => {
    const executionArn = await failedAtB('idem');
    hang.add('idem');
    const { redriveDate } = await svc.engine.redriveExecution(executionArn, 'token-1');
    await until(() => calls(svc, 'b', 'idem').length === 2, 'B to run again');
    await expect(svc.engine.redriveExecution(executionArn, 'token-1')).resolves.toEqual({ redriveDate });
    const again = await svc.client.send(new RedriveExecutionCommand({ executionArn, clientToken: 'token-1' }));
    expect(again.redriveDate?.getTime()).toBe(redriveDate.getTime());
    await expect(svc.engine.redriveExecution(executionArn, 'token-2')).rejects.toMatchObject({ code: 'ExecutionNotRedrivable' });
    await expect(svc.engine.redriveExecution(executionArn)).rejects.toMatchObject({ code: 'ExecutionNotRedrivable' });
    expect(await errorName(svc.client.send(new RedriveExecutionCommand({ executionArn })))).toBe('ExecutionNotRedrivable'); // the SDK makes up a token
    expect(calls(svc, 'b', 'idem')).toHaveLength(2);
    expect(await svc.engine.describeExecution(executionArn)).toMatchObject({ status: 'RUNNING', redriveCount: 1 });
    await svc.engine.stopExecution(executionArn);
    hang.delete('idem');
  });

  it('is not redrivable 14 days after it stopped', async () => {
    const executionArn = await failedAtB('old');
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 15 * 24 * 3600 * 1000);
      expect(await svc.engine.describeExecution(executionArn)).toMatchObject({
        redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: 'Execution redrivable period exceeded',
      });
      await expect(svc.engine.redriveExecution(executionArn)).rejects.toMatchObject({ code: 'ExecutionNotRedrivable', message: 'Execution redrivable period exceeded.' });
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('durable redrives', () => {
  const { engines, newDir } = durableEngines('handrail-redrive-');

  /** An engine on `dir` with the pipeline registered; `invoked` lists `fn:id` per invocation. */
  function boot(dir: string, maxClosedExecutions?: number) {
    const invoked: string[] = [];
    const bInputs: unknown[] = [];
    const engine = new LocalStepFunctions({
      persistenceDir: dir,
      maxClosedExecutions,
      invokeLambda: async (arn, payload) => {
        const fn = arn.split(':').pop() as keyof typeof stage;
        const { id } = payload as { id: string };
        invoked.push(`${fn}:${id}`);
        if (fn === 'b') bInputs.push(payload);
        return stage[fn]({ id });
      },
    });
    engines.push(engine);
    const stateMachineArn = engine.registerStateMachine({ name: 'pipeline', definition: pipeline });
    const closed: ExecutionClosedEvent[] = [];
    engine.on('executionClosed', (event) => closed.push(event));
    return { engine, stateMachineArn, invoked, bInputs, closed };
  }

  async function run(engine: LocalStepFunctions, stateMachineArn: string, id: string) {
    const { executionArn } = await engine.startExecution({ stateMachineArn, name: id, input: JSON.stringify({ id }) });
    return { executionArn, described: await engine.waitForExecution(executionArn) };
  }

  it('redrives after a restart; recover() continues nothing', async () => {
    const dir = newDir();
    const first = boot(dir);
    failOnce.add('r1');
    const { executionArn, described } = await run(first.engine, first.stateMachineArn, 'r1');
    expect(described.status).toBe('FAILED');
    first.engine.closeJournal(); // the restart

    const second = boot(dir);
    expect(second.engine.recover()).toEqual({ continued: [], lost: [] });
    expect(second.invoked).toEqual([]);
    await expect(second.engine.describeExecution(executionArn)).rejects.toMatchObject({ code: 'ExecutionDoesNotExist' });
    const { redriveDate } = await second.engine.redriveExecution(executionArn);
    const done = await second.engine.waitForExecution(executionArn);
    expect(done).toMatchObject({ status: 'SUCCEEDED', name: 'r1', startDate: described.startDate, input: '{"id":"r1"}', redriveCount: 1, redriveDate });
    expect(JSON.parse(done.output!)).toMatchObject({ a: { a: 'r1' }, b: { b: 'r1' } });
    expect(first.invoked).toEqual(['a:r1', 'b:r1']);
    expect(second.invoked).toEqual(['b:r1']);
    expect(second.bInputs).toEqual(first.bInputs);
    expect(second.closed).toEqual([expect.objectContaining({ executionArn, status: 'SUCCEEDED' })]);
    const history = await second.engine.getExecutionHistory(executionArn);
    expect(history.slice(0, 3).map((e) => e.type)).toEqual(['ExecutionStarted', 'ExecutionRedriven', 'TaskStateEntered']);

    // Succeeded: nothing is left to keep.
    second.engine.closeJournal();
    const third = boot(dir);
    expect(third.engine.recover().continued).toEqual([]);
    await expect(third.engine.redriveExecution(executionArn)).rejects.toMatchObject({ code: 'ExecutionDoesNotExist' });
    expect(readFileSync(join(dir, 'executions.jsonl'), 'utf8')).toBe('');
  });

  it('redrives an execution evicted from memory', async () => {
    const dir = newDir();
    const { engine, stateMachineArn, invoked } = boot(dir, 1);
    failOnce.add('ev1');
    const { executionArn } = await run(engine, stateMachineArn, 'ev1');
    await run(engine, stateMachineArn, 'ev2'); // closes, so ev1 is evicted
    await expect(engine.describeExecution(executionArn)).rejects.toMatchObject({ code: 'ExecutionDoesNotExist' });
    await engine.redriveExecution(executionArn);
    expect(await engine.waitForExecution(executionArn)).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    expect(invoked.filter((call) => call.endsWith(':ev1'))).toEqual(['a:ev1', 'b:ev1', 'b:ev1']);
  });

  it('continues a redriven execution after a crash, as a running execution', async () => {
    const dir = newDir();
    const first = boot(dir);
    failOnce.add('r2');
    const { executionArn } = await run(first.engine, first.stateMachineArn, 'r2');
    hang.add('r2');
    await first.engine.redriveExecution(executionArn, 'tok');
    await until(() => first.invoked.length === 3, 'B to run again');
    first.engine.closeJournal(); // SIGKILL while B runs again
    hang.delete('r2');

    const second = boot(dir);
    expect(second.engine.recover().continued).toEqual([
      expect.objectContaining({ executionArn, state: { name: 'B', input: first.bInputs[0] }, redrive: expect.objectContaining({ count: 1, clientToken: 'tok' }) }),
    ]);
    // Still the same redrive for a retried request.
    const { redriveDate } = await second.engine.redriveExecution(executionArn, 'tok');
    expect(await second.engine.waitForExecution(executionArn)).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1, redriveDate });
    expect(second.invoked).toEqual(['b:r2']);
  });

  it('keeps unsuccessful executions in the journal for 14 days, successful ones not at all', async () => {
    const dir = newDir();
    const { engine, stateMachineArn } = boot(dir);
    for (const id of ['s1', 's2', 's3']) await run(engine, stateMachineArn, id);
    failOnce.add('f1');
    const { executionArn } = await run(engine, stateMachineArn, 'f1');
    engine.closeJournal();

    const journal = new ExecutionJournal(dir); // compacts on open
    expect(journal.openExecutions).toBe(0);
    expect(journal.redrivableExecutions).toBe(1);
    expect(journal.redrivableExecution(executionArn)).toMatchObject({ name: 'f1', status: 'FAILED', error: 'Boom', state: { name: 'B' } });
    const lines = readFileSync(join(dir, 'executions.jsonl'), 'utf8').split('\n').filter(Boolean);
    expect(lines.map((l) => JSON.parse(l).t)).toEqual(['start', 'state', 'end']);
    expect(lines.join('\n')).not.toMatch(/"s[123]"/);
    journal.close();

    // Closed more than 14 days ago: dropped at the next compaction.
    const oldDir = newDir();
    const old = new ExecutionJournal(oldDir);
    const exec = {
      executionArn: 'arn:aws:states:us-east-1:000000000000:execution:m:old', name: 'old', input: '{}', startDate: new Date(0),
      stateMachine: { stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:m', definitionText: '{}' },
    } as unknown as ExecutionRecord;
    old.started(exec);
    old.entered(exec.executionArn, 'S', {});
    old.ended(exec.executionArn, { status: 'FAILED', stopDate: new Date(Date.now() - 15 * 24 * 3600 * 1000) });
    expect(old.redrivableExecutions).toBe(1);
    old.close();
    const reopened = new ExecutionJournal(oldDir);
    expect(reopened.redrivableExecutions).toBe(0);
    expect(readFileSync(join(oldDir, 'executions.jsonl'), 'utf8')).toBe('');
    reopened.close();
  });
});
