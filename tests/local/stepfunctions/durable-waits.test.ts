/**
 * Durable waits: an engine with a persistence directory journals its waiting states, and a new
 * engine on the same directory (a restart) resumes them on the same task tokens.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalStepFunctions } from '../../../local/stepfunctions/engine.js';
import { WaitJournal } from '../../../local/stepfunctions/journal.js';
import type { ExecutionClosedEvent, ExecutionRecord } from '../../../local/stepfunctions/types.js';
import { fnArn, nextTaskToken } from './helpers.js';

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

const dirs: string[] = [];
const engines: LocalStepFunctions[] = [];
afterEach(async () => {
  for (const engine of engines.splice(0)) {
    engine.closeJournal();
    for (const { stateMachineArn } of await engine.listStateMachines()) {
      for (const { executionArn, status } of await engine.listExecutions(stateMachineArn!)) {
        if (status === 'RUNNING') await engine.stopExecution(executionArn!);
      }
    }
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function newDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'handrail-sfn-'));
  dirs.push(dir);
  return dir;
}

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
    expect(second.engine.resumeWaiting()).toEqual([{ executionArn, stateName: 'Approve', token }]);
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
    expect(third.engine.resumeWaiting()).toEqual([]);
    expect(readFileSync(join(dir, 'waits.jsonl'), 'utf8')).toBe('');
  });

  it('times a wait out at once when its deadline passed while the engine was down; the Catch runs', async () => {
    const dir = newDir();
    const first = boot(dir, approvalMachine(1));
    const issued = nextTaskToken(first.engine);
    const { executionArn } = await first.engine.startExecution({ stateMachineArn: first.stateMachineArn, input: JSON.stringify(input) });
    const { token } = await issued;
    crash(first.engine);
    await new Promise((r) => setTimeout(r, 1200)); // "down" past the deadline

    const second = boot(dir, approvalMachine(1));
    const started = Date.now();
    expect(second.engine.resumeWaiting()).toHaveLength(1);
    await expect(second.engine.sendTaskSuccess(token, '{}')).rejects.toMatchObject({ code: 'TaskTimedOut' });
    const done = await second.engine.waitForExecution(executionArn);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toMatchObject({ outcome: 'timed out', timeout: { Error: 'States.Timeout' } });
    expect(second.calls).toEqual([]);
  });

  it('keeps the remaining time of a wait, not its full timeout', async () => {
    const dir = newDir();
    const first = boot(dir, approvalMachine(3));
    const issued = nextTaskToken(first.engine);
    const { executionArn } = await first.engine.startExecution({ stateMachineArn: first.stateMachineArn, input: JSON.stringify(input) });
    const { token } = await issued;
    crash(first.engine);
    await new Promise((r) => setTimeout(r, 1500));

    const second = boot(dir, approvalMachine(3));
    const resumedAt = Date.now();
    second.engine.resumeWaiting();
    await second.engine.sendTaskHeartbeat(token); // still open
    const done = await second.engine.waitForExecution(executionArn);
    const waited = Date.now() - resumedAt;
    expect(JSON.parse(done.output!)).toMatchObject({ outcome: 'timed out' });
    expect(waited).toBeGreaterThan(1000);
    expect(waited).toBeLessThan(2500);
  });

  it('runs a resumed execution on the definition it started with', async () => {
    const dir = newDir();
    const first = boot(dir, approvalMachine(3600));
    const issued = nextTaskToken(first.engine);
    const { executionArn } = await first.engine.startExecution({ stateMachineArn: first.stateMachineArn, input: JSON.stringify(input) });
    const { token } = await issued;
    crash(first.engine);

    // The state machine changed while the engine was down (a new version was registered).
    const changed = approvalMachine(3600);
    changed.States.Approved = { Type: 'Pass', Result: 'new version', ResultPath: '$.context', End: true } as never;
    const second = boot(dir, changed);
    second.engine.resumeWaiting();
    await second.engine.sendTaskSuccess(token, '{"approved":true}');
    const done = await second.engine.waitForExecution(executionArn);
    expect(JSON.parse(done.output!).context).toMatchObject({ id: executionArn });
  });

  it('does not resume executions that were not waiting (e.g. inside a Lambda task)', async () => {
    const dir = newDir();
    const busy = {
      StartAt: 'Work',
      States: { Work: { Type: 'Task', Resource: fnArn('slow'), TimeoutSeconds: 60, End: true } },
    };
    const engine = new LocalStepFunctions({ persistenceDir: dir, invokeLambda: () => new Promise(() => undefined) });
    engines.push(engine);
    const arn = engine.registerStateMachine({ name: 'busy', definition: busy });
    const { executionArn } = await engine.startExecution({ stateMachineArn: arn });
    crash(engine);

    const second = boot(dir, approvalMachine(3600));
    second.engine.registerStateMachine({ name: 'busy', definition: busy });
    expect(second.engine.resumeWaiting()).toEqual([]);
    await expect(second.engine.describeExecution(executionArn)).rejects.toMatchObject({ code: 'ExecutionDoesNotExist' });
  });

  it('drops a wait whose state machine is no longer registered, with a warning', async () => {
    const dir = newDir();
    const first = boot(dir, approvalMachine(3600));
    const issued = nextTaskToken(first.engine);
    await first.engine.startExecution({ stateMachineArn: first.stateMachineArn, input: JSON.stringify(input) });
    await issued;
    crash(first.engine);

    const engine = new LocalStepFunctions({ persistenceDir: dir, invokeLambda: async () => null });
    engines.push(engine);
    const warn = console.warn;
    const warnings: string[] = [];
    console.warn = (message: string) => warnings.push(message);
    try {
      expect(engine.resumeWaiting()).toEqual([]);
    } finally {
      console.warn = warn;
    }
    expect(warnings).toEqual([expect.stringContaining('could not resume execution')]);
    engine.closeJournal();
    const again = boot(dir, approvalMachine(3600));
    expect(again.engine.resumeWaiting()).toEqual([]);
  });

  it('compacts the journal while running once it has grown past its limit', () => {
    const dir = newDir();
    const journal = new WaitJournal(dir, 2_000);
    const exec = {
      executionArn: 'arn:aws:states:us-east-1:000000000000:execution:m:e', name: 'e', input: '{}', startDate: new Date(),
      stateMachine: { stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:m', definitionText: '{}' },
    } as unknown as ExecutionRecord;
    const token = (i: number) => `${String(i).padStart(43, 'x')}`;
    for (let i = 0; i < 100; i++) {
      journal.opened(exec, 'Wait', { i }, token(i), undefined);
      if (i !== 42) journal.closed(token(i));
    }
    journal.close();
    const lines = readFileSync(join(dir, 'waits.jsonl'), 'utf8').split('\n').filter(Boolean);
    expect(lines.length).toBeLessThan(20);
    expect(new WaitJournal(dir).takeRecovered()).toEqual([expect.objectContaining({ token: token(42), stateInput: { i: 42 }, deadline: null })]);
  });
});
