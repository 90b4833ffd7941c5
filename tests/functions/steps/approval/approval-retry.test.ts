/**
 * A retried approval state (a Lambda retry on AWS mints a new task token) finds its request stored:
 * the request takes the new token, a pending one marks the run as awaiting, and a decision made
 * meanwhile resumes the state that waits now. Against dynalite and the local Step Functions
 * endpoint, through the real SDK clients.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putApprovalRequest, getApproval, type ApprovalRecord } from '../../../../functions/records/approvals.js';
import { createRun, getRun } from '../../../../functions/records/runs.js';
import { resetClients } from '../../../../functions/shared/aws-clients.js';
import { ENV } from '../../../../functions/shared/env-names.js';
import { continueStoredRequest } from '../../../../functions/steps/approval/approval-retry.js';
import { startEmulatorEnv, stringKeys, type EmulatorEnv } from '../../../support/emulator-env.js';
import { fnArn, nextTaskToken, startService, type Service } from '../../../local/stepfunctions/helpers.js';

let env: EmulatorEnv;
let sfn: Service;

const waitMachine = {
  StartAt: 'Review',
  States: {
    Review: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: fnArn('approval'), Payload: { 'token.$': '$$.Task.Token' } },
      ResultPath: '$.approval',
      Catch: [{ ErrorEquals: ['ApprovalRejected'], ResultPath: '$.rejection', Next: 'Rejected' }],
      End: true,
    },
    Rejected: { Type: 'Pass', End: true },
  },
};

beforeAll(async () => {
  env = await startEmulatorEnv({
    name: 'approval-retry',
    env: { [ENV.approvalsTable]: 'test-approvals', [ENV.runsTable]: 'test-runs' },
    tables: [
      { TableName: 'test-approvals', AttributeDefinitions: [{ AttributeName: 'approvalId', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'approvalId', KeyType: 'HASH' }] },
      { TableName: 'test-runs', ...stringKeys('runId', 'sk') },
    ],
  });
  sfn = await startService({ approval: () => ({}) });
  process.env.AWS_ENDPOINT_URL_SFN = sfn.endpoint.url;
  resetClients();
});
afterAll(async () => {
  await sfn?.close();
  await env?.stop();
});

/** A waiting execution and the (new) token its retried approval state waits on. */
async function waitingState(name: string) {
  const stateMachineArn = sfn.engine.registerStateMachine({ name: `m-${name}`, definition: waitMachine });
  const issued = nextTaskToken(sfn.engine);
  const { executionArn } = await sfn.engine.startExecution({ stateMachineArn, name });
  return { executionArn, token: (await issued).token };
}

function request(runId: string, fields: Partial<ApprovalRecord>): ApprovalRecord {
  const at = new Date().toISOString();
  return {
    approvalId: `${runId}.review.0`, runId, workflowId: 'wf', stepId: 'review', level: 0, status: 'pending', reviewers: ['r@example.com'],
    taskToken: 'an-older-token-that-no-state-waits-on-anymore', requestedAt: at, deadline: at, input: {}, draft: { text: 'The draft', provider: 'offline', model: 'm', citations: [] },
    draftHash: '0'.repeat(32), reasons: [], requiredApprovals: 1, allowSelfApproval: false, votes: [], voterIds: [], sources: [], ...fields,
  };
}

async function storeRun(runId: string) {
  const at = new Date().toISOString();
  await createRun({ runId, workflowId: 'wf', workflowVersion: 'v', status: 'running', input: {}, createdAt: at, updatedAt: at });
}

describe('a retried approval state', () => {
  it('resumes with a decision recorded against the previous token', async () => {
    const { executionArn, token } = await waitingState('decided');
    await storeRun('run-decided');
    const decidedAt = new Date().toISOString();
    await putApprovalRequest(request('run-decided', { status: 'edited', finalText: 'The edit', decision: { action: 'edit', reviewer: 'r@example.com', channel: 'api', decidedAt, text: 'The edit' } }));

    expect(await continueStoredRequest('run-decided.review.0', token)).toMatchObject({ duplicate: true, resumed: true });

    const done = await sfn.engine.waitForExecution(executionArn);
    expect(JSON.parse(done.output!).approval).toMatchObject({ approvalId: 'run-decided.review.0', action: 'edit', text: 'The edit', originalText: 'The draft', decidedAt });
    expect((await getApproval('run-decided.review.0'))!.taskToken).toBe(token);
  });

  it('resumes with a rejection as ApprovalRejected', async () => {
    const { executionArn, token } = await waitingState('rejected');
    await storeRun('run-rejected');
    await putApprovalRequest(request('run-rejected', { status: 'rejected', decision: { action: 'reject', reviewer: 'r@example.com', channel: 'api', decidedAt: new Date().toISOString(), reasonCode: 'tone' } }));
    await continueStoredRequest('run-rejected.review.0', token);
    const done = await sfn.engine.waitForExecution(executionArn);
    expect(JSON.parse(done.output!).rejection).toMatchObject({ Error: 'ApprovalRejected' });
  });

  it('keeps a pending request pending on the new token, and marks its run as awaiting it once', async () => {
    const { executionArn, token } = await waitingState('pending');
    await storeRun('run-pending');
    await putApprovalRequest(request('run-pending', {}));
    await continueStoredRequest('run-pending.review.0', token);
    await continueStoredRequest('run-pending.review.0', token); // and again, with the same token
    expect(await getApproval('run-pending.review.0')).toMatchObject({ status: 'pending', taskToken: token });
    expect(await getRun('run-pending')).toMatchObject({ status: 'awaiting_approval', approvalIds: ['run-pending.review.0'] });
    expect(sfn.engine.isRunning(executionArn)).toBe(true); // nothing resumed it
  });

  it('never overwrites a stored request: a second put reports it exists', async () => {
    await putApprovalRequest(request('run-kept', { status: 'approved' }));
    expect(await putApprovalRequest(request('run-kept', {}))).toBe('exists');
    expect((await getApproval('run-kept.review.0'))!.status).toBe('approved');
  });
});
