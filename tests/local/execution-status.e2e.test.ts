/**
 * No run is left `running` by an execution that ends outside its state machine's own paths: the
 * template's rule on Step Functions status changes (delivered locally by the engine's events) ends
 * the run `failed` with the reason, e.g. a state over the 256 KB payload limit, or a StopExecution.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRun } from '../../functions/records/runs.js';
import { workflowRegistry } from '../../functions/shared/workflow-registry.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { client, pendingApprovalOf, startTestRuntime, waitFor, waitForRun } from '../support/local-runtime.js';

let rt: LocalRuntime;
const machine = 'arn:aws:states:us-east-1:000000000000:stateMachine:handrail-local-support-reply';

beforeAll(async () => {
  rt = await startTestRuntime();
});
afterAll(async () => {
  await rt?.stop();
});

describe('executions that end outside their state machine', () => {
  it('a state over the payload limit fails the run with States.DataLimitExceeded', { timeout: 60_000 }, async () => {
    const at = new Date().toISOString();
    const version = workflowRegistry().get('support-reply')!.version;
    const input = { ticketId: 'T-big', subject: 'Refund', body: 'x'.repeat(261_900) };
    await createRun({ runId: 'run-too-big', workflowId: 'support-reply', workflowVersion: version, status: 'running', input, createdAt: at, updatedAt: at });
    // Under the limit as the execution's input; over it once the first task adds its step definition.
    const state = { run: { runId: 'run-too-big', workflowId: 'support-reply', version }, input, steps: {} };
    await rt.engine.startExecution({ stateMachineArn: machine, name: 'run-too-big', input: JSON.stringify(state) });

    const run = await waitForRun(rt, 'run-too-big', ['failed']);
    expect(run.error).toMatchObject({ error: 'States.DataLimitExceeded', cause: expect.stringContaining('maximum number of bytes') });
    expect(run.steps).toEqual([]); // the task was never invoked
    // The run ends first (a conditional update), then the event that says so is appended.
    const audited = await waitFor(async () => {
      const { body } = await client(rt).get('/runs/run-too-big');
      return body.audit.some((e: any) => e.type === 'run.execution_failed') && body;
    }, 'the run.execution_failed audit event');
    expect(audited.audit.find((e: any) => e.type === 'run.execution_failed').details).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
  });

  it('a stopped execution fails its run and closes the request waiting for a reviewer', { timeout: 60_000 }, async () => {
    const api = client(rt);
    const { runId } = (await api.post('/webhooks/support-reply', { ticketId: 'T-stop', subject: 'Refund for my annual plan', body: 'How do I get a refund?' })).body;
    const approval = await pendingApprovalOf(rt, runId);
    await rt.engine.stopExecution(`arn:aws:states:us-east-1:000000000000:execution:handrail-local-support-reply:${runId}`, 'Operator.Stop', 'stopped by an operator');

    const run = await waitForRun(rt, runId, ['failed']);
    expect(run.error).toEqual({ error: 'Operator.Stop', cause: 'stopped by an operator' });
    // The run ends first, then its waiting requests are closed.
    const closed = await waitFor(async () => {
      const { body } = await api.get(`/approvals/${approval.approvalId}`);
      return body.status !== 'pending' && body;
    }, 'the request to close');
    expect(closed).toMatchObject({ status: 'expired', closedReason: 'the run ended: Operator.Stop' });
    expect((await api.get('/approvals?status=pending')).body.approvals.map((a: any) => a.approvalId)).not.toContain(approval.approvalId);
  });
});
