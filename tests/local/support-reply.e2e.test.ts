/**
 * The support-reply workflow end to end on the local runtime: the synthesized ASL, the real
 * handlers, the SDK clients against dynalite / s3rver / the local Step Functions endpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime.js';
import { signReviewToken } from '../../functions/shared/review-link.js';
import { client, startSignedReceiver, startTestRuntime, waitFor } from '../support/local-runtime.js';

let rt: LocalRuntime;
let api: ReturnType<typeof client>;
let receiver: Awaited<ReturnType<typeof startSignedReceiver>>;

const ticket = (id: string, extra: Record<string, unknown> = {}) => ({
  ticketId: id,
  subject: 'Refund for my annual plan',
  body: 'Hello, I was charged for the annual plan last week. How do I get a refund?',
  customerEmail: 'pat@example.com',
  ...extra,
});

async function pendingApprovalOf(runId: string) {
  return waitFor(async () => {
    const run = await api.get(`/runs/${runId}`);
    return run.body?.status === 'awaiting_approval' && run.body.approvals.find((a: any) => a.status === 'pending');
  }, `a pending approval on ${runId}`);
}

async function finalRun(runId: string, status: string) {
  return waitFor(async () => {
    const run = await api.get(`/runs/${runId}`);
    return run.body?.status === status && run.body;
  }, `run ${runId} to be ${status}`);
}

beforeAll(async () => {
  rt = await startTestRuntime();
  api = client(rt);
  receiver = await startSignedReceiver(rt.signingSecret);
  process.env.SUPPORT_REPLY_URL = receiver.url;
});

afterAll(async () => {
  await receiver?.close();
  await rt?.stop();
});

describe('support-reply on the local runtime', () => {
  it('drafts from the knowledge base, waits for review, delivers the edit with a valid signature', async () => {
    // Act: the webhook
    const started = await api.post('/webhooks/support-reply', ticket('T-100'));
    expect(started.status).toBe(202);
    const { runId } = started.body;
    const approval = await pendingApprovalOf(runId);

    // Assess: retrieval and draft are recorded with sources and the offline provider
    const pending = (await api.get(`/runs/${runId}`)).body;
    expect(pending.workflowVersion).toMatch(/^[0-9a-f]{16}$/);
    const [retrieve, draft] = pending.steps;
    expect(retrieve).toMatchObject({ stepId: 'retrieve_context', status: 'succeeded' });
    expect(retrieve.output.passages[0]).toMatchObject({ docId: 'refunds-and-billing-cycle', version: 1, passageId: expect.stringMatching(/^refunds-and-billing-cycle@v1#\d+$/) });
    expect(draft).toMatchObject({ stepId: 'draft_reply', status: 'succeeded', provider: 'offline', model: 'offline-extractive-v1' });
    expect(draft.usage.outputTokens).toBeGreaterThan(0);
    expect(draft.attempts.filter((a: any) => a.outcome === 'skipped').map((a: any) => a.provider)).toEqual(['bedrock', 'openai']);
    expect(approval).toMatchObject({ stepId: 'agent_review', reviewers: ['support-agent@example.com'], level: 0 });
    expect(approval.draft.text).toContain('offline draft');
    expect(approval.sources.length).toBeGreaterThan(0);
    expect(approval).not.toHaveProperty('taskToken');

    const inbox = await api.get('/approvals?status=pending');
    expect(inbox.body.approvals.map((a: any) => a.approvalId)).toContain(approval.approvalId);

    // Act: the reviewer edits
    const decided = await api.post(`/approvals/${approval.approvalId}/decision`, {
      action: 'edit',
      reviewer: 'support-agent@example.com',
      text: 'Hi Pat, you are within the 30-day window, so we have refunded the unused months.',
      reason: 'tone',
    });
    expect(decided.status).toBe(200);
    const done = await finalRun(runId, 'delivered');

    // Assess: the edit is what was delivered, signed, once, keyed by the runId; the draft is kept
    const deliveries = receiver.received.filter((r) => r.body.runId === runId);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]!.idempotencyKey).toBe(runId);
    expect(deliveries[0]!.body.text).toBe('Hi Pat, you are within the 30-day window, so we have refunded the unused months.');
    expect(done.delivery).toMatchObject({ status: 'delivered', text: deliveries[0]!.body.text });
    const edited = done.approvals[0];
    expect(edited).toMatchObject({ status: 'edited', finalText: deliveries[0]!.body.text, decision: { action: 'edit', reviewer: 'support-agent@example.com', reason: 'tone' } });
    expect(edited.draft.text).toBe(approval.draft.text);
    expect(done.audit.map((e: any) => e.type)).toContain('approval.decided');
    expect(receiver.rejected).toBe(0);
  });

  it('routes urgent tickets to the senior reviewer', async () => {
    const { runId } = (await api.post('/webhooks/support-reply', ticket('T-101', { priority: 'urgent' }))).body;
    const approval = await pendingApprovalOf(runId);
    expect(approval).toMatchObject({ stepId: 'senior_review', reviewers: ['support-lead@example.com'] });
  });

  it('never delivers a rejected draft', async () => {
    const { runId } = (await api.post('/webhooks/support-reply', ticket('T-102'))).body;
    const approval = await pendingApprovalOf(runId);
    const res = await api.post(`/approvals/${approval.approvalId}/decision`, { action: 'reject', reviewer: 'support-agent@example.com', reason: 'wrong policy' });
    expect(res.status).toBe(200);
    const run = await finalRun(runId, 'rejected');
    expect(run.approvals[0]).toMatchObject({ status: 'rejected', decision: { reason: 'wrong policy' } });
    expect(run.delivery).toBeUndefined();
    expect(receiver.received.some((r) => r.body.runId === runId)).toBe(false);
  });

  it('starts one run for the same Idempotency-Key', async () => {
    const headers = { 'Idempotency-Key': 'zendesk-delivery-7781' };
    const first = await api.post('/webhooks/support-reply', ticket('T-103'), headers);
    const second = await api.post('/webhooks/support-reply', ticket('T-103'), headers);
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body).toMatchObject({ runId: first.body.runId, duplicate: true });
    const executions = await rt.engine.listExecutions('arn:aws:states:us-east-1:000000000000:stateMachine:handrail-local-support-reply');
    expect(executions.filter((e) => e.name === first.body.runId)).toHaveLength(1);
    const reused = await api.post('/webhooks/support-reply', ticket('T-999'), headers);
    expect(reused.status).toBe(409);
  });

  it('lets exactly one of two decisions win; the other gets 409 and changes nothing', async () => {
    const { runId } = (await api.post('/webhooks/support-reply', ticket('T-104'))).body;
    const approval = await pendingApprovalOf(runId);
    const [a, b] = await Promise.all([
      api.post(`/approvals/${approval.approvalId}/decision`, { action: 'approve', reviewer: 'support-agent@example.com' }),
      api.post(`/approvals/${approval.approvalId}/decision`, { action: 'reject', reviewer: 'support-agent@example.com' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const winner = a.status === 200 ? 'approved' : 'rejected';
    const run = await finalRun(runId, winner === 'approved' ? 'delivered' : 'rejected');
    expect(run.approvals[0].status).toBe(winner);
    const again = await api.post(`/approvals/${approval.approvalId}/decision`, { action: 'edit', reviewer: 'support-agent@example.com', text: 'late' });
    expect(again.status).toBe(409);
  });

  it('serves a signed review link; forged and expired links get 403 and change nothing', async () => {
    const { runId } = (await api.post('/webhooks/support-reply', ticket('T-105'))).body;
    const approval = await pendingApprovalOf(runId);
    const { body } = await api.get(`/approvals/${approval.approvalId}`);
    const link: string = body.reviewLinks['support-agent@example.com'];
    const path = new URL(link).pathname;

    const page = await api.get(path);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Refund for my annual plan');
    expect(page.text).toContain('Approve as drafted');

    const token = path.split('/').pop()!;
    const forged = `${token.split('.')[0]}.${Buffer.from('not-the-signature').toString('base64url')}`;
    expect((await api.get(`/review/${forged}`)).status).toBe(403);
    expect((await api.form(`/review/${forged}`, { action: 'approve' })).status).toBe(403);
    const expired = signReviewToken(rt.signingSecret, { approvalId: approval.approvalId, reviewer: 'support-agent@example.com', expiresAt: Math.floor(Date.now() / 1000) - 60 });
    const expiredPage = await api.form(`/review/${expired}`, { action: 'approve' });
    expect(expiredPage.status).toBe(403);
    expect(expiredPage.text).toContain('expired');
    expect((await api.get(`/approvals/${approval.approvalId}`)).body.status).toBe('pending');

    const approved = await api.form(path, { action: 'approve', text: approval.draft.text });
    expect(approved.status).toBe(200);
    const run = await finalRun(runId, 'delivered');
    expect(run.approvals[0]).toMatchObject({ status: 'approved', decision: { channel: 'review_link', reviewer: 'support-agent@example.com' } });
  });

  it.each([
    ['a missing required field', { ticketId: 'T', subject: 'x' }, 'body.body'],
    ['a wrong type', { ticketId: 'T', subject: 'x', body: 42 }, 'body.body'],
    ['a bad email', { ticketId: 'T', subject: 'x', body: 'y', customerEmail: 'nope' }, 'body.customerEmail'],
    ['an unknown priority', { ticketId: 'T', subject: 'x', body: 'y', priority: 'whenever' }, 'body.priority'],
  ])('answers 400 naming the field for %s', async (_case, body, field) => {
    const res = await api.post('/webhooks/support-reply', body);
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe(field);
    expect(res.body.error.message).toContain(field);
  });

  it('answers 400 for a body that is not JSON and 404 for an unknown workflow', async () => {
    const res = await api.post('/webhooks/support-reply', '{not json');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('body: not valid JSON');
    expect((await api.post('/webhooks/nope', ticket('T'))).status).toBe(404);
  });

  it('validates decisions: edit needs text, unknown reviewers are refused', async () => {
    const { runId } = (await api.post('/webhooks/support-reply', ticket('T-106'))).body;
    const approval = await pendingApprovalOf(runId);
    const noText = await api.post(`/approvals/${approval.approvalId}/decision`, { action: 'edit', reviewer: 'support-agent@example.com' });
    expect(noText.status).toBe(400);
    expect(noText.body.error.field).toBe('body.text');
    const stranger = await api.post(`/approvals/${approval.approvalId}/decision`, { action: 'approve', reviewer: 'mallory@example.com' });
    expect(stranger.status).toBe(403);
    expect((await api.get(`/approvals/${approval.approvalId}`)).body.status).toBe('pending');
  });

  it('lists runs by workflow and status', async () => {
    const res = await api.get('/runs?workflowId=support-reply&status=delivered');
    expect(res.status).toBe(200);
    expect(res.body.runs.length).toBeGreaterThan(0);
    expect(res.body.runs.every((r: any) => r.status === 'delivered' && r.workflowId === 'support-reply')).toBe(true);
    expect((await api.get('/runs?status=bogus')).status).toBe(400);
  });
});
