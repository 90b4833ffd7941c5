import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalStepFunctions } from '../../../local/stepfunctions/engine.js';
import type { ExecutionClosedEvent } from '../../../local/stepfunctions/types.js';
import { fnArn, lambdaError, startService, type Service } from './helpers.js';

const tiny = { StartAt: 'Echo', States: { Echo: { Type: 'Task', Resource: fnArn('echo'), End: true } } };

describe('engine', () => {
  it('runs many tiny executions concurrently and reports each close', async () => {
    const engine = new LocalStepFunctions({ invokeLambda: async (_arn, payload) => payload });
    const arn = engine.registerStateMachine({ name: 'tiny', definition: tiny });
    const closed: ExecutionClosedEvent[] = [];
    engine.on('executionClosed', (event) => closed.push(event));
    const started = await Promise.all(Array.from({ length: 500 }, (_, i) => engine.startExecution({ stateMachineArn: arn, input: JSON.stringify({ i }) })));
    const results = await Promise.all(started.map(({ executionArn }) => engine.waitForExecution(executionArn)));
    expect(results.every((r) => r.status === 'SUCCEEDED')).toBe(true);
    expect(JSON.parse(results[7].output!)).toEqual({ i: 7 });
    expect(closed).toHaveLength(500);
    expect(closed[0]).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('evicts the oldest closed executions beyond maxClosedExecutions', async () => {
    const engine = new LocalStepFunctions({ invokeLambda: async () => ({}), maxClosedExecutions: 2 });
    const arn = engine.registerStateMachine({ name: 'tiny', definition: tiny });
    const arns: string[] = [];
    for (const name of ['a', 'b', 'c']) {
      const { executionArn } = await engine.startExecution({ stateMachineArn: arn, name });
      await engine.waitForExecution(executionArn);
      arns.push(executionArn);
    }
    await expect(engine.describeExecution(arns[0])).rejects.toMatchObject({ code: 'ExecutionDoesNotExist' });
    expect((await engine.listExecutions(arn)).map((e) => e.name)).toEqual(['c', 'b']);
  });

  it('mints a fresh token for every attempt of a retried waitForTaskToken state', async () => {
    const tokens: string[] = [];
    const engine = new LocalStepFunctions({
      invokeLambda: async (_arn, payload) => {
        tokens.push((payload as { token: string }).token);
        if (tokens.length === 1) throw lambdaError('Lambda.ServiceException', 'blip');
        return null;
      },
    });
    const arn = engine.registerStateMachine({
      name: 'retry-wait',
      definition: {
        StartAt: 'Wait',
        States: {
          Wait: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
            Parameters: { FunctionName: 'notify', Payload: { 'token.$': '$$.Task.Token', 'again.$': '$$.Task.Token' } },
            Retry: [{ ErrorEquals: ['Lambda.ServiceException'], IntervalSeconds: 1, MaxAttempts: 1 }],
            End: true,
          },
        },
      },
    });
    const issued = new Promise<string>((resolve) => engine.once('taskTokenIssued', (e) => resolve(e.token)));
    const { executionArn } = await engine.startExecution({ stateMachineArn: arn });
    const token = await issued;
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).not.toBe(tokens[1]);
    expect(token).toBe(tokens[1]);
    await expect(engine.sendTaskSuccess(tokens[0], '{}')).rejects.toMatchObject({ code: 'TaskTimedOut' });
    await engine.sendTaskSuccess(token, '{"done":true}');
    expect(await engine.waitForExecution(executionArn)).toMatchObject({ status: 'SUCCEEDED', output: '{"done":true}' });
  });

  it('rejects definitions it cannot run locally', () => {
    const engine = new LocalStepFunctions({ invokeLambda: async () => null });
    const dynamo = { StartAt: 'Put', States: { Put: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', End: true } } };
    expect(() => engine.registerStateMachine({ name: 'dynamo', definition: dynamo })).toThrow(/not supported locally/);
    expect(() => engine.registerStateMachine({ name: 'broken', definition: '{"StartAt":"X"' })).toThrow(/not valid JSON/);
    expect(() => engine.registerStateMachine({ name: 'bad', definition: { StartAt: 'Missing', States: {} } })).toThrow();
  });
});

describe('endpoint protocol errors', () => {
  let svc: Service;
  beforeAll(async () => {
    svc = await startService({});
  });
  afterAll(() => svc.close());

  async function call(target: string, body: string) {
    const res = await fetch(svc.endpoint.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': target },
      body,
    });
    expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.0');
    return { status: res.status, body: (await res.json()) as { __type: string; message: string } };
  }

  it('is reachable by a client configured only through AWS_ENDPOINT_URL_SFN', async () => {
    process.env.AWS_ENDPOINT_URL_SFN = svc.endpoint.url;
    const client = new SFNClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    try {
      svc.engine.registerStateMachine({ name: 'listed', definition: tiny });
      const { stateMachines = [] } = await client.send(new ListStateMachinesCommand({}));
      expect(stateMachines.map((m) => m.name)).toEqual(['listed']);
      expect(stateMachines[0].creationDate).toBeInstanceOf(Date);
    } finally {
      client.destroy();
      delete process.env.AWS_ENDPOINT_URL_SFN;
    }
  });

  it('answers unknown operations, bad JSON and invalid fields with typed 400s', async () => {
    const unknown = await call('AWSStepFunctions.DeleteEverything', '{}');
    expect(unknown.status).toBe(400);
    expect(unknown.body.__type).toMatch(/#UnknownOperationException$/);

    const badJson = await call('AWSStepFunctions.DescribeExecution', '{nope');
    expect(badJson.status).toBe(400);
    expect(badJson.body.__type).toMatch(/#SerializationException$/);

    const invalid = await call('AWSStepFunctions.DescribeExecution', '{"executionArn": 7}');
    expect(invalid.status).toBe(400);
    expect(invalid.body.__type).toMatch(/#ValidationException$/);
    expect(invalid.body.message).toContain("'executionArn'");

    const missing = await call('AWSStepFunctions.DescribeExecution', '{"executionArn": "arn:aws:states:us-east-1:000000000000:execution:m:x"}');
    expect(missing.body.__type).toBe('com.amazonaws.swf.service.v2.model#ExecutionDoesNotExist');
  });
});
