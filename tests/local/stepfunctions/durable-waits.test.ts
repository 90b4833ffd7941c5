/**
 * Durable executions: an engine with a persistence directory journals its executions, and a new
 * engine on the same directory (a restart) continues them: waits on the same task tokens, others
 * at the last state they entered.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalStepFunctions } from '../../../local/stepfunctions/engine.js';
import { ExecutionJournal } from '../../../local/stepfunctions/journal.js';
import type { ExecutionClosedEvent, ExecutionRecord } from '../../../local/stepfunctions/types.js';
import { durableEngines, fnArn, nextTaskToken } from './helpers.js';

/** Prepare → Approve (waits; InputPath and Parameters, so raw ≠ effective input) → Approved | TimedOut. */
function approvalMachine(timeoutSeconds: number) {
  return {
    StartAt: 'Prepare',
    States: {
      Prepare: { Type: 'Pass', Result: { prepared: true }, ResultPath: '$.prep', Next: 'Approve' },
      Approve: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        InputPath: '$.ticket',
        Parameters: { FunctionName: fnArn('notify'), Payload: { 'subject.$': '$.subject', 'taskToken.$': '$$.Task.Token' } },
        ResultPath: '$.decision',
        TimeoutSeconds: timeoutSeconds,
        Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.timeout', Next: 'TimedOut' }],
        Next: 'Approved',
      },
      Approved: {
        Type: 'Pass',
        Parameters: { 'input.$': '$$.Execution.Input', 'name.$': '$$.Execution.Name', 'id.$': '$$.Execution.Id' },
        ResultPath: '$.context',
        End: true,
      },
      TimedOut: { Type: 'Pass', Result: 'timed out', ResultPath: '$.outcome', End: true },
    },
  };
}

const { engines, newDir } = durableEngines('handrail-sfn-');

/** An engine on `dir` with `definition` registered; `calls` collects what `notify` received. */
function boot(dir: string, definition: object) {
  const calls: any[] = [];
  const engine = new LocalStepFunctions({
    persistenceDir: dir,
    invokeLambda: async (_arn, payload) => {
      calls.push(payload);
      return { notified: true };
    },
  });
  engines.push(engine);
  const stateMachineArn = engine.registerStateMachine({ name: 'approval', definition });
  const closed: ExecutionClosedEvent[] = [];
  engine.on('executionClosed', (event) => closed.push(event));
  return { engine, stateMachineArn, calls, closed };
}

/** What a SIGKILL leaves: the engine does nothing more to the journal (its memory is gone with it). */
function crash(engine: LocalStepFunctions): void {
  engine.closeJournal();
}

const input = { ticket: { subject: 'Refund', id: 'T-1' }, customer: 'pat@example.com' };

/** An engine on `dir` that started an execution, which now waits on `token`, then crashed. */
async function crashedWhileWaiting(dir: string, timeoutSeconds: number, name?: string) {
  const first = boot(dir, approvalMachine(timeoutSeconds));
  const issued = nextTaskToken(first.engine);
  const { executionArn, startDate } = await first.engine.startExecution({ stateMachineArn: first.stateMachineArn, name, input: JSON.stringify(input) });
  const { token } = await issued;
  crash(first.engine);
  return { executionArn, startDate, token, stateMachineArn: first.stateMachineArn };
}

describe('durable waits', () => {
  it('resumes a waiting execution on a new engine, on the saved token, and completes it once', async () => {
    const dir = newDir();
    const first = boot(dir, approvalMachine(3600));
    const issued = nextTaskToken(first.engine);
    const { executionArn, startDate } = await first.engine.startExecution({ stateMachineArn: first.stateMachineArn, name: 'run-1', input: JSON.stringify(input) });
    const { token } = await issued;
    expect(first.calls).toEqual([{ subject: 'Refund', taskToken: token }]);
    crash(first.engine);

    const second = boot(dir, approvalMachine(3600));
    expect(second.engine.recover()).toEqual({
      continued: [expect.objectContaining({ executionArn, state: { name: 'Approve', input: { ...input, prep: { prepared: true } } }, wait: expect.objectContaining({ token, issued: true }) })],
      lost: [],
    });
    expect(second.calls).toEqual([]); // the function ran before the restart; it is not invoked again
    expect(await second.engine.describeExecution(executionArn)).toMatchObject({
      executionArn, name: 'run-1', status: 'RUNNING', startDate, input: JSON.stringify(input), stateMachineArn: second.stateMachineArn,
    });
    await expect(second.engine.startExecution({ stateMachineArn: second.stateMachineArn, name: 'run-1', input: JSON.stringify(input) })).resolves.toEqual({ executionArn, startDate });

    await second.engine.sendTaskSuccess(token, '{"approved":true}');
    const done = await second.engine.waitForExecution(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({
      ...input,
      prep: { prepared: true },
      decision: { approved: true },
      context: { input, name: 'run-1', id: executionArn },
    });
    expect(second.closed).toEqual([expect.objectContaining({ executionArn, status: 'SUCCEEDED' })]);
    await expect(second.engine.sendTaskSuccess(token, '{}')).rejects.toMatchObject({ code: 'TaskTimedOut' });

    // History starts at the resumed state, with the execution's own input.
    const history = await second.engine.getExecutionHistory(executionArn);
    expect(history.slice(0, 2).map((e) => e.type)).toEqual(['ExecutionStarted', 'TaskStateEntered']);
    expect(history[0]!.executionStartedEventDetails?.input).toBe(JSON.stringify(input));
    expect(history[1]!.stateEnteredEventDetails).toMatchObject({ name: 'Approve', input: JSON.stringify({ ...input, prep: { prepared: true } }) });
    expect(history.map((e) => e.stateEnteredEventDetails?.name).filter(Boolean)).toEqual(['Approve', 'Approved']);

    // Closed: a third start resumes nothing, and the compacted journal is empty.
    crash(second.engine);
    const third = boot(dir, approvalMachine(3600));
    expect(third.engine.recover().continued).toEqual([]);
    expect(readFileSync(join(dir, 'executions.jsonl'), 'utf8')).toBe('');
  });

  it('times a wait out at once when its deadline passed while the engine was down; the Catch runs', async () => {
    const dir = newDir();
    const { executionArn, token } = await crashedWhileWaiting(dir, 1);
    await new Promise((r) => setTimeout(r, 1200)); // "down" past the deadline

    const second = boot(dir, approvalMachine(1));
    const started = Date.now();
    expect(second.engine.recover().continued).toHaveLength(1);
    await expect(second.engine.sendTaskSuccess(token, '{}')).rejects.toMatchObject({ code: 'TaskTimedOut' });
    const done = await second.engine.waitForExecution(executionArn);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toMatchObject({ outcome: 'timed out', timeout: { Error: 'States.Timeout' } });
    expect(second.calls).toEqual([]);
  });

  it('keeps the remaining time of a wait, not its full timeout', async () => {
    const dir = newDir();
    const { executionArn, token } = await crashedWhileWaiting(dir, 3);
    await new Promise((r) => setTimeout(r, 1500));

    const second = boot(dir, approvalMachine(3));
    const resumedAt = Date.now();
    second.engine.recover();
    await second.engine.sendTaskHeartbeat(token); // still open
    const done = await second.engine.waitForExecution(executionArn);
    const waited = Date.now() - resumedAt;
    expect(JSON.parse(done.output!)).toMatchObject({ outcome: 'timed out' });
    expect(waited).toBeGreaterThan(1000);
    expect(waited).toBeLessThan(2500);
  });

  it('runs a resumed execution on the definition it started with', async () => {
    const dir = newDir();
    const { executionArn, token } = await crashedWhileWaiting(dir, 3600);

    // The state machine changed while the engine was down (a new version was registered).
    const changed = approvalMachine(3600);
    changed.States.Approved = { Type: 'Pass', Result: 'new version', ResultPath: '$.context', End: true } as never;
    const second = boot(dir, changed);
    second.engine.recover();
    await second.engine.sendTaskSuccess(token, '{"approved":true}');
    const done = await second.engine.waitForExecution(executionArn);
    expect(JSON.parse(done.output!).context).toMatchObject({ id: executionArn });
  });

  it('continues an execution that was inside a Lambda task by invoking that task again, and not the states before it', async () => {
    const dir = newDir();
    const busy = {
      StartAt: 'First',
      States: {
        First: { Type: 'Task', Resource: fnArn('first'), ResultPath: '$.first', Next: 'Work' },
        Work: { Type: 'Task', Resource: fnArn('slow'), ResultPath: '$.work', TimeoutSeconds: 60, End: true },
      },
    };
    const calls: string[] = [];
    const engine = new LocalStepFunctions({
      persistenceDir: dir,
      invokeLambda: (arn) => {
        calls.push(arn.split(':').pop()!);
        return arn.endsWith(':first') ? Promise.resolve({ ok: 1 }) : new Promise(() => undefined); // Work never returns
      },
    });
    engines.push(engine);
    const arn = engine.registerStateMachine({ name: 'busy', definition: busy });
    const { executionArn, startDate } = await engine.startExecution({ stateMachineArn: arn, name: 'run-busy', input: '{"n":1}' });
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toEqual(['first', 'slow']);
    crash(engine);

    const secondCalls: string[] = [];
    const second = new LocalStepFunctions({ persistenceDir: dir, invokeLambda: async (fn) => (secondCalls.push(fn.split(':').pop()!), { done: true }) });
    engines.push(second);
    second.registerStateMachine({ name: 'busy', definition: busy });
    expect(second.recover().continued).toEqual([expect.objectContaining({ executionArn, state: { name: 'Work', input: { n: 1, first: { ok: 1 } } } })]);
    const done = await second.waitForExecution(executionArn);
    expect(done).toMatchObject({ status: 'SUCCEEDED', startDate, name: 'run-busy' });
    expect(JSON.parse(done.output!)).toEqual({ n: 1, first: { ok: 1 }, work: { done: true } });
    expect(secondCalls).toEqual(['slow']);
  });

  it('invokes a waiting state again, on the same token, when its function had not returned before the restart', async () => {
    const dir = newDir();
    let seenToken = '';
    const engine = new LocalStepFunctions({
      persistenceDir: dir,
      invokeLambda: (_arn, payload: any) => {
        seenToken = payload.taskToken;
        return new Promise(() => undefined); // killed while the function runs
      },
    });
    engines.push(engine);
    const arn = engine.registerStateMachine({ name: 'approval', definition: approvalMachine(3600) });
    const { executionArn } = await engine.startExecution({ stateMachineArn: arn, input: JSON.stringify(input) });
    await new Promise((r) => setTimeout(r, 50));
    expect(seenToken).toMatch(/^[\w-]{43}$/);
    crash(engine);

    const second = boot(dir, approvalMachine(3600));
    const issued = nextTaskToken(second.engine);
    expect(second.engine.recover().continued).toEqual([expect.objectContaining({ wait: expect.objectContaining({ token: seenToken, issued: false }) })]);
    expect((await issued).token).toBe(seenToken);
    expect(second.calls).toEqual([{ subject: 'Refund', taskToken: seenToken }]);
    await second.engine.sendTaskSuccess(seenToken, '{"approved":true}');
    expect((await second.engine.waitForExecution(executionArn)).status).toBe('SUCCEEDED');
  });

  it('holds a wait that expired while down until released, so a decision recorded in time still resumes it', async () => {
    const dir = newDir();
    const { executionArn, token } = await crashedWhileWaiting(dir, 1);
    await new Promise((r) => setTimeout(r, 1200));

    const second = boot(dir, approvalMachine(1));
    second.engine.recover({ hold: true });
    await second.engine.sendTaskSuccess(token, '{"approved":true}'); // e.g. the decision reconciler
    second.engine.releaseRecovered();
    const done = await second.engine.waitForExecution(executionArn);
    expect(JSON.parse(done.output!)).toMatchObject({ decision: { approved: true } });
    expect(JSON.parse(done.output!).outcome).toBeUndefined();
  });

  it('reports an execution whose state machine is no longer registered as lost, with the reason, and forgets it', async () => {
    const dir = newDir();
    const first = boot(dir, approvalMachine(3600));
    const issued = nextTaskToken(first.engine);
    const { executionArn } = await first.engine.startExecution({ stateMachineArn: first.stateMachineArn, name: 'run-lost', input: JSON.stringify(input) });
    await issued;
    crash(first.engine);

    const engine = new LocalStepFunctions({ persistenceDir: dir, invokeLambda: async () => null });
    engines.push(engine);
    expect(engine.recover()).toEqual({
      continued: [],
      lost: [{ executionArn, name: 'run-lost', stateMachineArn: first.stateMachineArn, reason: expect.stringMatching(/state Approve.*State Machine Does Not Exist/) }],
    });
    engine.closeJournal();
    const again = boot(dir, approvalMachine(3600));
    expect(again.engine.recover()).toEqual({ continued: [], lost: [] });
  });

  it('compacts the journal while running once it has grown past its limit; closed executions leave nothing', () => {
    const dir = newDir();
    const journal = new ExecutionJournal(dir, 2_000);
    const exec = (i: number) =>
      ({
        executionArn: `arn:aws:states:us-east-1:000000000000:execution:m:e${i}`, name: `e${i}`, input: '{}', startDate: new Date(),
        stateMachine: { stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:m', definitionText: '{}' },
      }) as unknown as ExecutionRecord;
    const token = (i: number) => `${String(i).padStart(43, 'x')}`;
    for (let i = 0; i < 100; i++) {
      journal.started(exec(i));
      journal.entered(exec(i).executionArn, 'Wait', { i });
      journal.tokenMinted(exec(i).executionArn, 'Wait', token(i), undefined);
      journal.issued(token(i));
      if (i !== 42) {
        journal.closed(token(i));
        journal.ended(exec(i).executionArn);
      }
    }
    expect(journal.openExecutions).toBe(1);
    journal.close();
    const lines = readFileSync(join(dir, 'executions.jsonl'), 'utf8').split('\n').filter(Boolean);
    expect(lines.length).toBeLessThan(30);
    expect(new ExecutionJournal(dir).takeRecovered()).toEqual([
      expect.objectContaining({ name: 'e42', state: { name: 'Wait', input: { i: 42 } }, wait: { token: token(42), deadline: null, issued: true } }),
    ]);
  });

  it('migrates the waits journal of earlier versions', () => {
    const dir = newDir();
    const wait = {
      executionArn: 'arn:aws:states:us-east-1:000000000000:execution:m:old', stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:m',
      name: 'old', executionInput: '{"a":1}', startDate: '2026-01-01T00:00:00.000Z', stateName: 'Approve', stateInput: { a: 1 },
      token: 'y'.repeat(43), deadline: 123, definition: '0123456789abcdef',
    };
    writeFileSync(join(dir, 'waits.jsonl'), `${JSON.stringify(wait)}\n${JSON.stringify({ ...wait, token: 'z'.repeat(43) })}\n${JSON.stringify({ closed: 'z'.repeat(43) })}\n`);
    const journal = new ExecutionJournal(dir);
    expect(journal.takeRecovered()).toEqual([
      { executionArn: wait.executionArn, stateMachineArn: wait.stateMachineArn, name: 'old', input: '{"a":1}', startDate: wait.startDate, definition: wait.definition, state: { name: 'Approve', input: { a: 1 } }, wait: { token: wait.token, deadline: 123, issued: true } },
    ]);
    expect(existsSync(join(dir, 'waits.jsonl'))).toBe(false);
    journal.close();
  });
});
