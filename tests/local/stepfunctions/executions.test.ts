import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorName, fnArn, lambdaError, startService, type Service } from './helpers.js';

let flakyFailuresLeft = 0;
const functions = {
  classify: ({ n }: { n: number }) => ({ kind: n > 10 ? 'big' : 'small' }),
  context: (payload: unknown) => payload,
  flaky: () => {
    if (flakyFailuresLeft-- > 0) throw lambdaError('Flaky', 'try again');
    return { ok: true };
  },
  validate: () => {
    throw lambdaError('ValidationFailed', 'field x is missing');
  },
  double: ({ n }: { n: number }) => ({ n: n * 2 }),
};

const routing = {
  StartAt: 'Classify',
  States: {
    Classify: {
      Type: 'Task',
      Resource: fnArn('classify'),
      Parameters: { 'n.$': '$.n' },
      ResultPath: '$.result',
      Next: 'Route',
    },
    Route: {
      Type: 'Choice',
      Choices: [{ Variable: '$.result.kind', StringEquals: 'big', Next: 'Big' }],
      Default: 'Small',
    },
    Big: { Type: 'Pass', Result: 'big route', ResultPath: '$.route', Next: 'Done' },
    Small: { Type: 'Pass', Result: 'small route', ResultPath: '$.route', Next: 'Done' },
    Done: { Type: 'Succeed' },
  },
};

let svc: Service;
let routingArn: string;

beforeAll(async () => {
  svc = await startService(functions);
  routingArn = svc.engine.registerStateMachine({ name: 'routing', definition: routing });
});
afterAll(() => svc.close());

async function run(definition: object, input: unknown, name = 'machine') {
  const stateMachineArn = svc.engine.registerStateMachine({ name, definition });
  const { executionArn } = await svc.client.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }));
  await svc.engine.waitForExecution(executionArn!);
  return svc.client.send(new DescribeExecutionCommand({ executionArn }));
}

describe('local Step Functions over the SDK', () => {
  it('runs Task → Choice → Succeed and DescribeExecution returns the output', async () => {
    const started = await svc.client.send(new StartExecutionCommand({ stateMachineArn: routingArn, name: 'big-one', input: '{"n": 42}' }));
    expect(started.executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:routing:big-one');
    expect(started.startDate).toBeInstanceOf(Date);
    await svc.engine.waitForExecution(started.executionArn!);

    const described = await svc.client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect(described.status).toBe('SUCCEEDED');
    expect(described.stateMachineArn).toBe(routingArn);
    expect(described.stopDate).toBeInstanceOf(Date);
    expect(JSON.parse(described.input!)).toEqual({ n: 42 });
    expect(JSON.parse(described.output!)).toEqual({ n: 42, result: { kind: 'big' }, route: 'big route' });
  });

  it('GetExecutionHistory has entered/exited events with increasing ids', async () => {
    const { executionArn } = await svc.client.send(new StartExecutionCommand({ stateMachineArn: routingArn, input: '{"n": 1}' }));
    await svc.engine.waitForExecution(executionArn!);
    const { events = [] } = await svc.client.send(new GetExecutionHistoryCommand({ executionArn }));
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('ExecutionStarted');
    expect(types.at(-1)).toBe('ExecutionSucceeded');
    expect(types).toEqual(
      expect.arrayContaining(['TaskStateEntered', 'LambdaFunctionSucceeded', 'TaskStateExited', 'ChoiceStateEntered', 'ChoiceStateExited', 'PassStateEntered', 'SucceedStateEntered']),
    );
    events.forEach((event, i) => {
      expect(event.id).toBe(i + 1);
      expect(event.previousEventId).toBe(i);
      expect(event.timestamp).toBeInstanceOf(Date);
    });
    const small = events.find((e) => e.type === 'PassStateExited');
    expect(small?.stateExitedEventDetails?.name).toBe('Small');
  });

  it('passes the context object ($$) to Parameters', async () => {
    const described = await run(
      {
        StartAt: 'Ctx',
        States: {
          Ctx: {
            Type: 'Task',
            Resource: fnArn('context'),
            Parameters: { 'id.$': '$$.Execution.Id', 'name.$': '$$.Execution.Name', 'machine.$': '$$.StateMachine.Name' },
            End: true,
          },
        },
      },
      {},
      'ctx',
    );
    const output = JSON.parse(described.output!);
    expect(output).toEqual({ id: described.executionArn, name: described.name, machine: 'ctx' });
  });

  it('retries a named error, then succeeds', async () => {
    flakyFailuresLeft = 1;
    const described = await run(
      {
        StartAt: 'Flaky',
        States: {
          Flaky: { Type: 'Task', Resource: fnArn('flaky'), Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 1, MaxAttempts: 2 }], End: true },
        },
      },
      {},
      'retrying',
    );
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!)).toEqual({ ok: true });
    const { events = [] } = await svc.client.send(new GetExecutionHistoryCommand({ executionArn: described.executionArn }));
    const lambdaEvents = events.map((e) => e.type).filter((t) => t?.startsWith('LambdaFunction'));
    expect(lambdaEvents).toEqual(['LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionFailed', 'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionSucceeded']);
    expect(events.find((e) => e.type === 'LambdaFunctionFailed')?.lambdaFunctionFailedEventDetails).toEqual({ error: 'Flaky', cause: 'try again' });
  });

  it('catches a named error', async () => {
    const described = await run(
      {
        StartAt: 'Validate',
        States: {
          Validate: {
            Type: 'Task',
            Resource: fnArn('validate'),
            Catch: [{ ErrorEquals: ['Other'], Next: 'Wrong' }, { ErrorEquals: ['ValidationFailed'], ResultPath: '$.error', Next: 'Handled' }],
            End: true,
          },
          Wrong: { Type: 'Fail', Error: 'WrongCatcher' },
          Handled: { Type: 'Pass', End: true },
        },
      },
      { doc: 1 },
      'catching',
    );
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!)).toEqual({ doc: 1, error: { Error: 'ValidationFailed', Cause: 'field x is missing' } });
  });

  it('fails the execution with the error name and cause when nothing catches it', async () => {
    const described = await run({ StartAt: 'V', States: { V: { Type: 'Task', Resource: fnArn('validate'), End: true } } }, {}, 'failing');
    expect(described).toMatchObject({ status: 'FAILED', error: 'ValidationFailed', cause: 'field x is missing' });
  });

  it('serves lambda:invoke like the real integration, also inside Parallel branches', async () => {
    const invoke = (n: string) => ({
      StartAt: n,
      States: {
        [n]: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'double', 'Payload.$': '$' }, End: true },
      },
    });
    const described = await run(
      { StartAt: 'Both', States: { Both: { Type: 'Parallel', Branches: [invoke('First'), invoke('Second')], End: true } } },
      { n: 3 },
      'parallel',
    );
    expect(described.status).toBe('SUCCEEDED');
    const expected = { Payload: { n: 6 }, StatusCode: 200, ExecutedVersion: '$LATEST' };
    expect(JSON.parse(described.output!)).toEqual([expected, expected]);
  });

  it('lists executions of a state machine, filtered by status', async () => {
    const { executions = [] } = await svc.client.send(new ListExecutionsCommand({ stateMachineArn: routingArn, statusFilter: 'SUCCEEDED' }));
    expect(executions.length).toBeGreaterThanOrEqual(2);
    expect(executions.every((e) => e.status === 'SUCCEEDED' && e.stateMachineArn === routingArn)).toBe(true);
  });

  it('answers StateMachineDoesNotExist and ExecutionDoesNotExist', async () => {
    const missing = 'arn:aws:states:us-east-1:000000000000:stateMachine:nope';
    expect(await errorName(svc.client.send(new StartExecutionCommand({ stateMachineArn: missing, input: '{}' })))).toBe('StateMachineDoesNotExist');
    const noExec = 'arn:aws:states:us-east-1:000000000000:execution:routing:nope';
    expect(await errorName(svc.client.send(new DescribeExecutionCommand({ executionArn: noExec })))).toBe('ExecutionDoesNotExist');
    expect(await errorName(svc.client.send(new StartExecutionCommand({ stateMachineArn: routingArn, input: '{bad' })))).toBe('InvalidExecutionInput');
  });
});
