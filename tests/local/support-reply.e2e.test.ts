/**
 * The support-reply workflow end to end on the local runtime: the synthesized ASL, the real
 * handlers, the SDK clients against dynalite / s3rver / the local Step Functions endpoint.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { signReviewToken } from '../../functions/shared/review-link.js';
import { client, deliveringSuite, decideAs, pendingApprovalOf as pendingApproval, waitForRun } from '../support/local-runtime.js';

const suite = deliveringSuite('SUPPORT_REPLY_URL');
let api: ReturnType<typeof client>;
beforeAll(() => {
  api = client(suite.rt);
});

const ticket = (id: string, extra: Record<string, unknown> = {}) => ({
  ticketId: id,
  subject: 'Refund for my annual plan',
  body: 'Hello, I was charged for the annual plan last week. How do I get a refund?',
  customerEmail: 'pat@example.com',
  ...extra,
});

const pendingApprovalOf = (runId: string) => pendingApproval(suite.rt, runId);

const finalRun = (runId: string, status: string) => waitForRun(suite.rt, runId, [status]);

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
    const decided = await decideAs(suite.rt, approval, 'support-agent@example.com', {
      action: 'edit',
      text: 'Hi Pat, you are within the 30-day window, so we have refunded the unused months.',
      reasonCode: 'tone',
      reason: 'warmer, and specific to the annual plan',
    });
    expect(decided.status).toBe(200);
    const done = await finalRun(runId, 'delivered');

    // Assess: the edit is what was delivered, signed, once, keyed by the runId; the draft is kept
    const deliveries = suite.receiver.received.filter((r) => r.body.runId === runId);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]!.idempotencyKey).toBe(runId);
    expect(deliveries[0]!.body.text).toBe('Hi Pat, you are within the 30-day window, so we have refunded the unused months.');
    expect(done.delivery).toMatchObject({ status: 'delivered', text: deliveries[0]!.body.text });
    const edited = done.approvals[0];
    expect(edited).toMatchObject({
      status: 'edited',
      finalText: deliveries[0]!.body.text,
      decision: { action: 'edit', reviewer: 'support-agent@example.com', channel: 'api', reasonCode: 'tone', reason: 'warmer, and specific to the annual plan' },
    });
    expect(edited.draft.text).toBe(approval.draft.text);
    expect(edited.decision.editDistance).toBeGreaterThan(10);
    expect(edited.decision.diff).toContain('+Hi Pat, you are within the 30-day window');
    expect(done.audit.map((e: any) => e.type)).toContain('approval.decided');
    expect(suite.receiver.rejected).toBe(0);
  });

  it('routes urgent tickets to the senior reviewer', async () => {
    const { runId } = (await api.post('/webhooks/support-reply', ticket('T-101', { priority: 'urgent' }))).body;
    const approval = await pendingApprovalOf(runId);
    expect(approval).toMatchObject({ stepId: 'senior_review', reviewers: ['support-lead@example.com'] });
  });

  it('classifies every ticket, keeps the results on the run and shows them to the reviewer', async () => {
    const { runId } = (await api.post('/webhooks/support-reply', ticket('T-110'))).body;
    const approval = await pendingApprovalOf(runId);
    expect(approval).toMatchObject({ stepId: 'agent_review', routeKey: 'support-reply/triage/standard' });
    // Billing is an alwaysReview category: no autonomy rule could ever approve this one without a person.
    expect(approval.autonomy).toMatchObject({ status: 'always_review', category: 'billing' });
    const run = (await api.get(`/runs/${runId}`)).body;
    expect(run.classification.classify_ticket).toMatchObject({
      sentiment: { label: 'neutral', method: 'lexicon:vader' },
      topic: { label: 'billing', flags: { legal: false, security: false, compliance: false, billing: true }, method: 'lexicon:topics' },
      complexity: { label: 'low', method: 'statistics' },
    });
    expect(run.steps.find((s: any) => s.stepId === 'classify_ticket')).toMatchObject({ kind: 'classify', status: 'succeeded', input: { classifiers: ['sentiment', 'topic', 'complexity'] } });
    expect(approval.classification).toEqual([expect.stringMatching(/^sentiment neutral/), expect.stringMatching(/^topic billing \(/), expect.stringMatching(/^complexity low/)]);
    const link = new URL((await api.get(`/approvals/${approval.approvalId}`)).body.reviewLinks['support-agent@example.com']).pathname;
    expect((await api.get(link)).text).toMatch(/Why this is with you[\s\S]*Classified[\s\S]*topic billing/);
  });

  it.each([
    ['legal', 'Formal complaint', 'Our attorney will file a lawsuit if the contract is not honoured.', 'policy_review', ['policy-officer@example.com', 'support-lead@example.com']],
    ['security', 'Account hacked', 'Someone had unauthorized access to our admin account last night.', 'policy_review', ['policy-officer@example.com', 'support-lead@example.com']],
    ['upset', 'Still broken', 'This is the third time I write. Your product is terrible and nobody helps. Awful.', 'senior_review', ['support-lead@example.com']],
  ])('routes %s tickets by their classification', async (path, subject, body, stepId, reviewers) => {
    const { runId } = (await api.post('/webhooks/support-reply', ticket(`T-${path}`, { subject, body }))).body;
    const approval = await pendingApprovalOf(runId);
    expect(approval).toMatchObject({ stepId, reviewers, routeKey: `support-reply/triage/${path}` });
  });

  it('never delivers a rejected draft', async () => {
    const { runId } = (await api.post('/webhooks/support-reply', ticket('T-102'))).body;
    const approval = await pendingApprovalOf(runId);
    const res = await decideAs(suite.rt, approval, 'support-agent@example.com', { action: 'reject', reasonCode: 'policy', reason: 'wrong policy' });
    expect(res.status).toBe(200);
    const run = await finalRun(runId, 'rejected');
    expect(run.approvals[0]).toMatchObject({ status: 'rejected', decision: { reasonCode: 'policy', reason: 'wrong policy' } });
    expect(run.delivery).toBeUndefined();
    expect(suite.receiver.received.some((r) => r.body.runId === runId)).toBe(false);
  });

  it('starts one run for the same Idempotency-Key', async () => {
    const headers = { 'Idempotency-Key': 'zendesk-delivery-7781' };
    const first = await api.post('/webhooks/support-reply', ticket('T-103'), headers);
    const second = await api.post('/webhooks/support-reply', ticket('T-103'), headers);
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body).toMatchObject({ runId: first.body.runId, duplicate: true });
    const executions = await suite.rt.engine.listExecutions('arn:aws:states:us-east-1:000000000000:stateMachine:handrail-local-support-reply');
    expect(executions.filter((e) => e.name === first.body.runId)).toHaveLength(1);
    const reused = await api.post('/webhooks/support-reply', ticket('T-999'), headers);
    expect(reused.status).toBe(409);
  });

  it('lets exactly one of 50 concurrent decisions win; the others get 409 and change nothing', async () => {
    const { runId } = (await api.post('/webhooks/support-reply', ticket('T-104'))).body;
    const approval = await pendingApprovalOf(runId);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        decideAs(suite.rt, approval, 'support-agent@example.com', i % 2 ? { action: 'reject', reasonCode: 'other' } : { action: 'edit', text: `edit number ${i}`, reasonCode: 'tone' }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(49);
    const winner = results.findIndex((r) => r.status === 200);
    const run = await finalRun(runId, winner % 2 ? 'rejected' : 'delivered');
    expect(run.approvals[0].status).toBe(winner % 2 ? 'rejected' : 'edited');
    if (winner % 2 === 0) expect(suite.receiver.received.filter((r) => r.body.runId === runId).map((r) => r.body.text)).toEqual([`edit number ${winner}`]);
    const again = await decideAs(suite.rt, approval, 'support-agent@example.com', { action: 'edit', text: 'late', reasonCode: 'tone' });
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
    const expired = signReviewToken(suite.rt.signingSecret, { approvalId: approval.approvalId, reviewer: 'support-agent@example.com', expiresAt: Math.floor(Date.now() / 1000) - 60 });
    const expiredPage = await api.form(`/review/${expired}`, { action: 'approve' });
    expect(expiredPage.status).toBe(403);
    expect(expiredPage.text).toContain('expired');
    expect((await api.get(`/approvals/${approval.approvalId}`)).body.status).toBe('pending');

    const approved = await api.form(path, { action: 'approve', text: approval.draft.text, draftHash: approval.draftHash });
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

  it('checks every decision on the server: credentials, reviewer, draft hash, reason code', async () => {
    const { runId } = (await api.post('/webhooks/support-reply', ticket('T-106'))).body;
    const approval = await pendingApprovalOf(runId);
    const path = `/approvals/${approval.approvalId}/decision`;
    // Prepare: an attempt with no credentials, with someone else's name, by a stranger
    const anonymous = await client(suite.rt, { as: null }).post(path, { action: 'approve', draftHash: approval.draftHash });
    // An admin may read every request, but decides only where the request names them.
    const admin = await api.post(path, { action: 'approve', draftHash: approval.draftHash });
    const impersonation = await decideAs(suite.rt, approval, 'support-lead@example.com', { action: 'approve' });
    const claimed = await api.post(path, { action: 'approve', reviewer: 'support-agent@example.com', draftHash: approval.draftHash }, {
      authorization: `Bearer ${(await import('../../functions/approvals/reviewer-tokens.js')).reviewerToken(suite.rt.signingSecret, 'mallory@example.com')}`,
    });
    const forgedToken = await api.post(path, { action: 'approve', draftHash: approval.draftHash }, { authorization: 'Bearer bWFsbG9yeQ.AAAA' });
    // Assess
    expect(anonymous.status).toBe(401);
    expect(admin.status).toBe(403);
    expect(impersonation.status).toBe(403);
    expect(claimed.status).toBe(403);
    expect(forgedToken.status).toBe(401);
    const stale = await decideAs(suite.rt, approval, 'support-agent@example.com', { action: 'approve', draftHash: '0'.repeat(32) });
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toContain(approval.draftHash);
    const noText = await decideAs(suite.rt, approval, 'support-agent@example.com', { action: 'edit', reasonCode: 'tone' });
    expect(noText.status).toBe(400);
    expect(noText.body.error.field).toBe('body.text');
    const noReason = await decideAs(suite.rt, approval, 'support-agent@example.com', { action: 'reject' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.field).toBe('reasonCode');
    const badReason = await decideAs(suite.rt, approval, 'support-agent@example.com', { action: 'reject', reasonCode: 'because' });
    expect(badReason.status).toBe(400);
    expect((await api.get(`/approvals/${approval.approvalId}`)).body.status).toBe('pending');
    const run = (await api.get(`/runs/${runId}`)).body;
    const refusals = run.audit.filter((e: any) => e.type === 'approval.decision_refused').map((e: any) => e.details.reason);
    expect(refusals).toEqual(expect.arrayContaining(['not_a_reviewer', 'stale_draft']));
  });

  it('filters the inbox by reviewer, workflow and age, with time to deadline', async () => {
    const { runId } = (await api.post('/webhooks/support-reply', ticket('T-107', { priority: 'urgent' }))).body;
    const approval = await pendingApprovalOf(runId);
    const lead = await api.get('/approvals?status=pending&reviewer=support-lead@example.com&workflowId=support-reply');
    expect(lead.body.approvals.map((a: any) => a.approvalId)).toContain(approval.approvalId);
    expect(lead.body.approvals.every((a: any) => a.reviewers.includes('support-lead@example.com'))).toBe(true);
    const mine = lead.body.approvals.find((a: any) => a.approvalId === approval.approvalId);
    expect(mine.timeToDeadlineSeconds).toBeGreaterThan(3500);
    expect(mine.timeToDeadlineSeconds).toBeLessThanOrEqual(3600);
    const agent = await api.get('/approvals?status=pending&reviewer=support-agent@example.com');
    expect(agent.body.approvals.map((a: any) => a.approvalId)).not.toContain(approval.approvalId);
    const old = await api.get('/approvals?status=pending&olderThanMinutes=60');
    expect(old.body.approvals).toEqual([]);
    expect((await api.get('/approvals?status=pending&olderThanMinutes=-1')).status).toBe(400);
  });

  it('lists runs by workflow and status', async () => {
    const res = await api.get('/runs?workflowId=support-reply&status=delivered');
    expect(res.status).toBe(200);
    expect(res.body.runs.length).toBeGreaterThan(0);
    expect(res.body.runs.every((r: any) => r.status === 'delivered' && r.workflowId === 'support-reply')).toBe(true);
    expect((await api.get('/runs?status=bogus')).status).toBe(400);
  });
});

describe('the reviewer inbox page', () => {
  it('lists a reviewer’s pending requests with links to their review pages; other links get 403', async () => {
    const { signReviewToken } = await import('../../functions/shared/review-link.js');
    const { runId } = (await api.post('/webhooks/support-reply', ticket('T-200', { priority: 'urgent' }))).body;
    const approval = await pendingApprovalOf(runId);
    const token = signReviewToken(suite.rt.signingSecret, { approvalId: '*', reviewer: 'support-lead@example.com', expiresAt: Math.floor(Date.now() / 1000) + 600 });
    const page = await api.get(`/inbox/${token}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Waiting for you');
    expect(page.text).toContain('<span class="who">support-lead@example.com</span>');
    expect(page.text).toContain(approval.runId);
    const reviewLink = page.text.match(/href="([^"]*\/review\/[^"]+)"/)![1]!;
    expect((await api.get(new URL(reviewLink).pathname)).text).toContain('Approve as drafted');

    const other = signReviewToken(suite.rt.signingSecret, { approvalId: '*', reviewer: 'support-agent@example.com', expiresAt: Math.floor(Date.now() / 1000) + 600 });
    expect((await api.get(`/inbox/${other}`)).text).not.toContain(approval.runId);
    const reviewToken = signReviewToken(suite.rt.signingSecret, { approvalId: approval.approvalId, reviewer: 'support-lead@example.com', expiresAt: Math.floor(Date.now() / 1000) + 600 });
    expect((await api.get(`/inbox/${reviewToken}`)).status).toBe(403);
    expect((await api.get(`/inbox/${token.slice(0, -2)}xx`)).status).toBe(403);
  });
});
