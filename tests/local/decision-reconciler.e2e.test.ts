/**
 * A recorded decision always resumes its run: when SendTaskSuccess is lost on its way (the local
 * Step Functions endpoint fails it), the reviewer still gets 200, the approval keeps the decision,
 * and the reconciler's sweep resumes the run exactly once. A retried approval state (a new task
 * token after the decision) is resumed with the decision too.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { SfnServiceError } from '../../local/stepfunctions/errors.js';
import { client, deliveringSuite, decideAs, pendingApprovalOf as pendingApproval, waitForRun } from '../support/local-runtime.js';

const suite = deliveringSuite('SUPPORT_REPLY_URL');
let api: ReturnType<typeof client>;
beforeAll(() => {
  api = client(suite.rt);
});

const REVIEWER = 'support-agent@example.com';

const ticket = (id: string) => ({ ticketId: id, subject: 'Refund for my annual plan', body: 'I was charged for the annual plan. How do I get a refund?', customerEmail: 'pat@example.com' });

const pendingApprovalOf = (runId: string) => pendingApproval(suite.rt, runId);

/**
 * Makes the engine refuse SendTaskSuccess/Failure while `fn` runs: as a throttled or unreachable
 * service would, or (`TaskTimedOut`) as Step Functions answers for a token whose wait is closed.
 */
async function withLostResumes<T>(fn: () => Promise<T>, answer: 'unavailable' | 'TaskTimedOut' = 'unavailable'): Promise<T> {
  const engine = suite.rt.engine as any;
  const success = engine.sendTaskSuccess;
  const failure = engine.sendTaskFailure;
  const lost = async () => {
    if (answer === 'TaskTimedOut') throw new SfnServiceError('TaskTimedOut', 'Task Timed Out (injected)');
    throw Object.assign(new Error('Service unavailable (injected)'), { name: 'ServiceUnavailable' });
  };
  engine.sendTaskSuccess = lost;
  engine.sendTaskFailure = lost;
  try {
    return await fn();
  } finally {
    engine.sendTaskSuccess = success;
    engine.sendTaskFailure = failure;
  }
}

const sweepLater = () => suite.rt.runSchedules(new Date(Date.now() + 3 * 60_000));

describe('the decision reconciler', () => {
  it('resumes a run whose SendTaskSuccess was lost; the reviewer got 200 and the run is delivered once', { timeout: 60_000 }, async () => {
    const { runId } = (await api.post('/webhooks/support-reply', ticket('T-700'))).body;
    const approval = await pendingApprovalOf(runId);

    const decided = await withLostResumes(() => decideAs(suite.rt, approval, REVIEWER, { action: 'approve' }));
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    expect(decided.body.status).toBe('approved');
    expect(decided.body).not.toHaveProperty('resumeState'); // the reconciler's marker stays on the server
    await new Promise((r) => setTimeout(r, 300));
    expect((await api.get(`/runs/${runId}`)).body.status).toBe('awaiting_approval'); // the send was lost
    expect((await decideAs(suite.rt, approval, REVIEWER, { action: 'approve' })).status).toBe(409); // decided already

    // A sweep within the grace period leaves it alone (the request could still be sending it).
    await suite.rt.runSchedules(new Date());
    expect((await api.get(`/runs/${runId}`)).body.status).toBe('awaiting_approval');

    await sweepLater();
    const done = await waitForRun(suite.rt, runId, ['delivered']);
    await sweepLater(); // a second sweep finds nothing left to do
    await new Promise((r) => setTimeout(r, 300));
    expect(suite.receiver.received.filter((r) => r.body.runId === runId)).toHaveLength(1);
    expect(done.approvals[0]).toMatchObject({ status: 'approved', decision: { reviewer: REVIEWER } });
    expect(done.approvals[0]).not.toHaveProperty('resumeState');
    expect(done.audit.filter((e: any) => e.type === 'approval.resumed_by_reconciler')).toHaveLength(1);
  });

  it('resumes a rejection the same way: the run ends rejected, never delivered', { timeout: 60_000 }, async () => {
    const { runId } = (await api.post('/webhooks/support-reply', ticket('T-701'))).body;
    const approval = await pendingApprovalOf(runId);
    const reasonCode = approval.reasons[0];
    const decided = await withLostResumes(() => decideAs(suite.rt, approval, REVIEWER, { action: 'reject', reasonCode, reason: 'wrong policy' }));
    expect(decided.status).toBe(200);
    await sweepLater();
    await waitForRun(suite.rt, runId, ['rejected']);
    expect(suite.receiver.received.filter((r) => r.body.runId === runId)).toHaveLength(0);
  });

  it('does not take a closed wait before the deadline for a timeout: the decision stands and the run resumes', { timeout: 60_000 }, async () => {
    const { runId } = (await api.post('/webhooks/support-reply', ticket('T-703'))).body;
    const approval = await pendingApprovalOf(runId);
    const decided = await withLostResumes(() => decideAs(suite.rt, approval, REVIEWER, { action: 'approve' }), 'TaskTimedOut');
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    expect(decided.body.status).toBe('approved');
    await sweepLater();
    await waitForRun(suite.rt, runId, ['delivered']);
    expect(suite.receiver.received.filter((r) => r.body.runId === runId)).toHaveLength(1);
  });

  it('leaves decisions whose run already took them alone (no second resume, no audit event)', { timeout: 60_000 }, async () => {
    const { runId } = (await api.post('/webhooks/support-reply', ticket('T-702'))).body;
    const approval = await pendingApprovalOf(runId);
    expect((await decideAs(suite.rt, approval, REVIEWER, { action: 'approve' })).status).toBe(200);
    const done = await waitForRun(suite.rt, runId, ['delivered']);
    const [report] = (await sweepLater()).filter((r: any) => r && 'checked' in r) as any[];
    expect(report).toMatchObject({ resent: 0, failed: 0 });
    expect(report.alreadyResumed).toBeGreaterThanOrEqual(1);
    expect(done.audit.some((e: any) => e.type === 'approval.resumed_by_reconciler')).toBe(false);
    expect(suite.receiver.received.filter((r) => r.body.runId === runId)).toHaveLength(1);
  });
});
