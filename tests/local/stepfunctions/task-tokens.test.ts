import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorName, fnArn, nextTaskToken, startService, type Service } from './helpers.js';

/** An approval: the `notify` function gets the token; a decision resumes the state. */
function approval(timeoutSeconds: number) {
  return {
    StartAt: 'Approve',
    States: {
      Approve: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: { FunctionName: fnArn('notify'), Payload: { 'doc.$': '$.doc', 'taskToken.$': '$$.Task.Token' } },
        ResultPath: '$.decision',
        TimeoutSeconds: timeoutSeconds,
        Catch: [
          { ErrorEquals: ['Rejected'], ResultPath: '$.rejection', Next: 'WasRejected' },
          { ErrorEquals: ['States.Timeout'], ResultPath: '$.timeout', Next: 'TimedOut' },
        ],
        Next: 'Approved',
      },
      Approved: { Type: 'Pass', Result: 'approved', ResultPath: '$.outcome', End: true },
      WasRejected: { Type: 'Pass', Result: 'rejected', ResultPath: '$.outcome', End: true },
      TimedOut: { Type: 'Pass', Result: 'timed out', ResultPath: '$.outcome', End: true },
    },
  };
}

// The same SDK calls over the endpoint's HTTP server and handed to it in-process (the runtime's
// own thread: endpoint.ts sfnExchange): every answer and error must be the same.
describe.each(['http', 'in-process'] as const)('%s', (transport) => {
  let svc: Service;
  let approvalArn: string;
  let quickArn: string;

  beforeAll(async () => {
    svc = await startService({ notify: () => ({ notified: true }) }, undefined, transport);
    approvalArn = svc.engine.registerStateMachine({ name: 'approval', definition: approval(120) });
    quickArn = svc.engine.registerStateMachine({ name: 'quick-approval', definition: approval(1) });
  });
  afterAll(() => svc.close());

  async function startWaiting(stateMachineArn: string, input: object, name?: string) {
    const issued = nextTaskToken(svc.engine);
    const { executionArn } = await svc.client.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
    const { token, stateName, executionArn: owner } = await issued;
    expect(owner).toBe(executionArn);
    expect(stateName).toBe('Approve');
    return { executionArn: executionArn!, token };
  }

  async function outcome(executionArn: string) {
    await svc.engine.waitForExecution(executionArn);
    return svc.client.send(new DescribeExecutionCommand({ executionArn }));
  }

  describe('waitForTaskToken over the SDK', () => {
    it('hands the function the token and resumes on SendTaskSuccess', async () => {
      const { executionArn, token } = await startWaiting(approvalArn, { doc: 'd1' });
      const payloads = svc.calls.get('notify') ?? [];
      expect(payloads.at(-1)).toEqual({ doc: 'd1', taskToken: token });
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

      await svc.client.send(new SendTaskHeartbeatCommand({ taskToken: token }));
      await svc.client.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ by: 'ann', ok: true }) }));
      const described = await outcome(executionArn);
      expect(described.status).toBe('SUCCEEDED');
      expect(JSON.parse(described.output!)).toEqual({ doc: 'd1', decision: { by: 'ann', ok: true }, outcome: 'approved' });

      // The task is closed: a second use of the token is TaskTimedOut, as in AWS.
      const again = svc.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }));
      expect(await errorName(again)).toBe('TaskTimedOut');

      const { events = [] } = await svc.client.send(new GetExecutionHistoryCommand({ executionArn }));
      expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited']));
    });

    it('fails the state on SendTaskFailure so a Catch on that error name runs', async () => {
      const { executionArn, token } = await startWaiting(approvalArn, { doc: 'd2' });
      await svc.client.send(new SendTaskFailureCommand({ taskToken: token, error: 'Rejected', cause: 'not good enough' }));
      const described = await outcome(executionArn);
      expect(described.status).toBe('SUCCEEDED');
      expect(JSON.parse(described.output!)).toEqual({
        doc: 'd2',
        rejection: { Error: 'Rejected', Cause: 'not good enough' },
        outcome: 'rejected',
      });
      expect(await errorName(svc.client.send(new SendTaskFailureCommand({ taskToken: token, error: 'Rejected' })))).toBe('TaskTimedOut');
    });

    it('times out after TimeoutSeconds into the States.Timeout Catch; the token is then closed', async () => {
      const { executionArn, token } = await startWaiting(quickArn, { doc: 'd3' });
      const described = await outcome(executionArn);
      expect(described.status).toBe('SUCCEEDED');
      expect(JSON.parse(described.output!)).toMatchObject({ timeout: { Error: 'States.Timeout' }, outcome: 'timed out' });
      expect(await errorName(svc.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })))).toBe('TaskTimedOut');
      const { events = [] } = await svc.client.send(new GetExecutionHistoryCommand({ executionArn }));
      expect(events.map((e) => e.type)).toContain('TaskTimedOut');
    });

    it('rejects unknown and malformed tokens with InvalidToken, and bad output with InvalidOutput', async () => {
      const unknown = 'A'.repeat(43);
      expect(await errorName(svc.client.send(new SendTaskSuccessCommand({ taskToken: unknown, output: '{}' })))).toBe('InvalidToken');
      expect(await errorName(svc.client.send(new SendTaskHeartbeatCommand({ taskToken: 'not a token' })))).toBe('InvalidToken');

      const { executionArn, token } = await startWaiting(approvalArn, { doc: 'd4' });
      expect(await errorName(svc.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{nope' })))).toBe('InvalidOutput');
      await svc.client.send(new StopExecutionCommand({ executionArn }));
    });

    it('is idempotent for the same name and input; other input or a closed execution is ExecutionAlreadyExists', async () => {
      const { executionArn, token } = await startWaiting(approvalArn, { doc: 'd5' }, 'same-name');
      const again = await svc.client.send(new StartExecutionCommand({ stateMachineArn: approvalArn, name: 'same-name', input: '{ "doc": "d5" }' }));
      expect(again.executionArn).toBe(executionArn);
      const { executions = [] } = await svc.client.send(new ListExecutionsCommand({ stateMachineArn: approvalArn }));
      expect(executions.filter((e) => e.name === 'same-name')).toHaveLength(1);

      const different = svc.client.send(new StartExecutionCommand({ stateMachineArn: approvalArn, name: 'same-name', input: '{"doc":"other"}' }));
      expect(await errorName(different)).toBe('ExecutionAlreadyExists');

      await svc.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }));
      await outcome(executionArn);
      const afterClose = svc.client.send(new StartExecutionCommand({ stateMachineArn: approvalArn, name: 'same-name', input: '{"doc":"d5"}' }));
      expect(await errorName(afterClose)).toBe('ExecutionAlreadyExists');
    });

    it('StopExecution aborts a waiting execution; its token is closed', async () => {
      const { executionArn, token } = await startWaiting(approvalArn, { doc: 'd6' });
      const stopped = await svc.client.send(new StopExecutionCommand({ executionArn, error: 'Cancelled', cause: 'by test' }));
      expect(stopped.stopDate).toBeInstanceOf(Date);
      const described = await svc.client.send(new DescribeExecutionCommand({ executionArn }));
      expect(described).toMatchObject({ status: 'ABORTED', error: 'Cancelled', cause: 'by test' });
      expect(await errorName(svc.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })))).toBe('TaskTimedOut');
      const { events = [] } = await svc.client.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true }));
      expect(events[0]).toMatchObject({ type: 'ExecutionAborted', executionAbortedEventDetails: { error: 'Cancelled', cause: 'by test' } });
    });
  });
});
