/**
 * A retried approval state (a Lambda retry on AWS mints a new task token) finds its request stored:
 * the request takes the new token, a pending one keeps waiting, and a decision made meanwhile
 * resumes the state that waits now; the same step entered with another draft is refused. Against dynalite and the local Step Functions
 * endpoint, through the real SDK clients.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide } from '../../../../functions/approvals/decide.js';
import { resumeAfterDecision } from '../../../../functions/approvals/resume-after-decision.js';
import { expireAtFinalTimeout, putApprovalRequest, getApproval, type ApprovalRecord } from '../../../../functions/records/approvals.js';
import { createRun, updateRun } from '../../../../functions/records/runs.js';
import { resetClients } from '../../../../functions/shared/aws-clients.js';
import { ENV } from '../../../../functions/shared/env-names.js';
import { resumeMessage } from '../../../../functions/approvals/approval-outcome.js';
import { continueStoredRequest } from '../../../../functions/steps/approval/approval-retry.js';
import { startEmulatorEnv, stringKeys, type EmulatorEnv } from '../../../support/emulator-env.js';
import { fnArn, nextTaskToken, startService, type Service } from '../../../local/stepfunctions/helpers.js';

let env: EmulatorEnv;
const HASH = '0'.repeat(32);
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
    // Decisions check that the reviewer is not disabled (the API keys table keeps disabled users).
    env: { [ENV.approvalsTable]: 'test-approvals', [ENV.runsTable]: 'test-runs', [ENV.apiKeysTable]: 'test-api-keys' },
    tables: [
      { TableName: 'test-approvals', AttributeDefinitions: [{ AttributeName: 'approvalId', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'approvalId', KeyType: 'HASH' }] },
      { TableName: 'test-api-keys', AttributeDefinitions: [{ AttributeName: 'keyId', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'keyId', KeyType: 'HASH' }] },
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

    expect(await continueStoredRequest('run-decided.review.0', token, HASH)).toMatchObject({ duplicate: true, resumed: true });

    const done = await sfn.engine.waitForExecution(executionArn);
    // The state keeps a reference to the decision; its text stays on the approval (the deliver step reads it there).
    expect(JSON.parse(done.output!).approval).toEqual({ approvalId: 'run-decided.review.0', stepId: 'review', action: 'edit', reviewer: 'r@example.com', decidedAt });
    const stored = (await getApproval('run-decided.review.0'))!;
    expect(stored.taskToken).toBe(token);
    expect(resumeMessage(stored)).toMatchObject({ kind: 'success', output: { text: 'The edit', originalText: 'The draft' } });
  });

  it('resumes with a rejection as ApprovalRejected', async () => {
    const { executionArn, token } = await waitingState('rejected');
    await storeRun('run-rejected');
    await putApprovalRequest(request('run-rejected', { status: 'rejected', decision: { action: 'reject', reviewer: 'r@example.com', channel: 'api', decidedAt: new Date().toISOString(), reasonCode: 'tone' } }));
    await continueStoredRequest('run-rejected.review.0', token, HASH);
    const done = await sfn.engine.waitForExecution(executionArn);
    expect(JSON.parse(done.output!).rejection).toMatchObject({ Error: 'ApprovalRejected' });
  });

  it('keeps a pending request pending on the new token; the caller finishes the first invocation\'s work unless the run links it already', async () => {
    const { executionArn, token } = await waitingState('pending');
    await storeRun('run-pending');
    await putApprovalRequest(request('run-pending', {}));
    expect(await continueStoredRequest('run-pending.review.0', token, HASH)).toBeUndefined(); // not linked to its run yet
    expect(await getApproval('run-pending.review.0')).toMatchObject({ status: 'pending', taskToken: token });
    await updateRun('run-pending', { status: 'awaiting_approval' }, { appendApprovalId: 'run-pending.review.0' });
    expect(await continueStoredRequest('run-pending.review.0', token, HASH)).toEqual({ approvalId: 'run-pending.review.0', duplicate: true });
    expect(sfn.engine.isRunning(executionArn)).toBe(true); // nothing resumed it
  });

  it('refuses to resume an approval step entered again with another draft (a loop, not a retry)', async () => {
    const { token } = await waitingState('loop');
    await storeRun('run-loop');
    await putApprovalRequest(request('run-loop', { status: 'approved', finalText: 'The draft', decision: { action: 'approve', reviewer: 'r@example.com', channel: 'api', decidedAt: new Date().toISOString() } }));
    await expect(continueStoredRequest('run-loop.review.0', token, '1'.repeat(32))).rejects.toThrow(/entered again with another draft/);
  });

  it('never overwrites a stored request: a second put reports it exists', async () => {
    await putApprovalRequest(request('run-kept', { status: 'approved' }));
    expect(await putApprovalRequest(request('run-kept', {}))).toBe('exists');
    expect((await getApproval('run-kept.review.0'))!.status).toBe('approved');
  });
});

describe('a decision that meets a retried approval state', () => {
  it('is not a late decision when the retried state already resumed the run with it (the reviewer keeps the 200)', async () => {
    const { executionArn, token } = await waitingState('raced');
    await storeRun('run-raced');
    const decision = { action: 'approve' as const, reviewer: 'r@example.com', channel: 'api' as const, decidedAt: new Date().toISOString() };
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
    // The decision was recorded on the first token; the retried state took it over and resumed the run.
    await putApprovalRequest(request('run-raced', { status: 'approved', finalText: 'The draft', decision, deadline: inAnHour }));
    await continueStoredRequest('run-raced.review.0', token, HASH);
    expect((await sfn.engine.waitForExecution(executionArn)).status).toBe('SUCCEEDED');

    // The request that recorded it now sends on the old token, then on the new one: both closed.
    const decided = { ...request('run-raced', { status: 'approved', finalText: 'The draft', decision, deadline: inAnHour }) };
    expect(await resumeAfterDecision(decided)).toBe('deferred');
    expect(await resumeAfterDecision(decided, () => Date.parse(inAnHour))).toBe('late'); // at the deadline it would be
  });

  it('expires a decision that never reached its run when the last level times out, and says so', async () => {
    await putApprovalRequest({ ...request('run-unapplied', { status: 'approved', decision: { action: 'approve', reviewer: 'r@example.com', channel: 'api', decidedAt: new Date().toISOString() } }), resumeState: 'pending', resumeRequestedAt: new Date().toISOString() });
    expect(await expireAtFinalTimeout('run-unapplied.review.0', 'timed out')).toBe('approved');
    expect(await getApproval('run-unapplied.review.0')).toMatchObject({ status: 'expired', closedReason: 'timed out' });
    expect(await getApproval('run-unapplied.review.0')).not.toHaveProperty('resumeState');

    await putApprovalRequest(request('run-applied', { status: 'approved' })); // its decision reached the run
    expect(await expireAtFinalTimeout('run-applied.review.0', 'timed out')).toBeUndefined();
    expect((await getApproval('run-applied.review.0'))!.status).toBe('approved');
  });
});

it('refuses a decision after the deadline with 409: its wait has timed out (or is about to)', async () => {
  await putApprovalRequest(request('run-overdue', { deadline: new Date(Date.now() - 1000).toISOString() }));
  await expect(decide('run-overdue.review.0', { action: 'approve', reviewer: 'r@example.com', draftHash: HASH }, 'api', { method: 'id_token', signedIn: true })).rejects.toThrow(/timed out at .*can no longer be decided/);
  expect((await getApproval('run-overdue.review.0'))!.status).toBe('pending');
});
