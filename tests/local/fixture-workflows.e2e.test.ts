/**
 * Escalation, final timeout, model fallback and delivery failure, end to end on the local runtime,
 * with test workflows (one-second approval timeouts) and fake Bedrock / OpenAI servers.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime.js';
import { bedrockError, chatOk, startFakeServer, type FakeServer } from '../support/fake-model-servers.js';
import { client, decideAs, startSignedReceiver, startTestRuntime, waitFor, waitForRun } from '../support/local-runtime.js';

const workflowsDir = fileURLToPath(new URL('../fixtures/workflows', import.meta.url));
let rt: LocalRuntime;
let api: ReturnType<typeof client>;
let bedrock: FakeServer;
let openai: FakeServer;
let receiver: Awaited<ReturnType<typeof startSignedReceiver>>;

const runUntil = (runId: string, statuses: string[]) => waitForRun(rt, runId, statuses);

beforeAll(async () => {
  bedrock = await startFakeServer(bedrockError(429, 'ThrottlingException'), 'h2c');
  openai = await startFakeServer(chatOk('Refunds are available within 14 days [1].'));
  rt = await startTestRuntime({
    workflowsDir,
    env: {
      HANDRAIL_PROVIDERS: 'bedrock,openai,offline',
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.url,
      OPENAI_API_KEY: 'test-key',
      OPENAI_BASE_URL: `${openai.url}/v1`,
      HANDRAIL_DELIVERY_BACKOFF_MS: '10',
    },
  });
  api = client(rt);
  receiver = await startSignedReceiver(rt.deliverySecret);
  process.env.QUICK_ESCALATION_URL = receiver.url;
  process.env.BACKUP_DECIDES_URL = receiver.url;
  process.env.TWO_APPROVERS_URL = receiver.url;
  process.env.RFP_SECTIONS_URL = receiver.url;
  process.env.MODEL_FALLBACK_URL = receiver.url;
});

afterAll(async () => {
  await rt?.stop();
  await Promise.all([bedrock?.close(), openai?.close(), receiver?.close()]);
});

describe('fixture workflows on the local runtime', () => {
  it('escalates through the chain (primary → backup → group) on timeouts, then ends approval_timed_out; nothing is delivered', async () => {
    const { runId } = (await api.post('/webhooks/quick-escalation', { subject: 'Where is my invoice?' })).body;
    const run = await runUntil(runId, ['approval_timed_out']);
    const [primary, backup, group] = run.approvals;
    expect(primary).toMatchObject({ level: 0, reviewers: ['primary@example.com'], status: 'escalated' });
    expect(backup).toMatchObject({ level: 1, reviewers: ['backup@example.com'], status: 'escalated' });
    expect(group).toMatchObject({ level: 2, reviewers: ['support-lead@example.com', 'head-of-support@example.com'], status: 'expired' });
    expect(run.audit.map((e: any) => e.type)).toEqual(expect.arrayContaining(['approval.escalated', 'approval.expired']));
    expect(receiver.received.some((r) => r.body.runId === runId)).toBe(false);
    const late = await decideAs(rt, group, 'support-lead@example.com', { action: 'approve' });
    expect(late.status).toBe(409);
  });

  it('lets the backup reviewer decide after escalation; the primary can no longer decide', async () => {
    const { runId } = (await api.post('/webhooks/backup-decides', { subject: 'Escalate me' })).body;
    const backup = await waitFor(async () => {
      const run = await api.get(`/runs/${runId}`);
      return run.body?.approvals?.find((a: any) => a.level === 1 && a.status === 'pending');
    }, 'the escalated approval');
    const primaryId = backup.approvalId.replace(/\.1$/, '.0');
    expect((await decideAs(rt, { approvalId: primaryId, draftHash: backup.draftHash }, 'primary@example.com', { action: 'approve' })).status).toBe(409);
    const ok = await decideAs(rt, backup, 'backup@example.com', { action: 'approve' });
    expect(ok.status).toBe(200);
    const run = await runUntil(runId, ['delivered']);
    expect(run.approvals[0]).toMatchObject({ status: 'escalated' });
    expect(run.approvals[1]).toMatchObject({ status: 'approved', decision: { reviewer: 'backup@example.com' } });
  });

  it('falls back from a throttled Bedrock to OpenAI and records every attempt', async () => {
    const { runId } = (await api.post('/webhooks/model-fallback', { question: 'How do refunds work?' })).body;
    const run = await runUntil(runId, ['delivered']);
    const answer = run.steps.find((s: any) => s.stepId === 'answer');
    expect(answer).toMatchObject({ provider: 'openai', model: 'gpt-test', usage: { inputTokens: 13, outputTokens: 9 } });
    expect(answer.attempts.map((a: any) => [a.provider, a.outcome, a.errorKind])).toEqual([
      ['bedrock', 'failed', 'throttled'],
      ['openai', 'ok', undefined],
    ]);
    expect(bedrock.requests.at(-1)!.url).toContain('/model/anthropic.claude-test/converse');
    const delivered = receiver.received.find((r) => r.body.runId === runId);
    expect(delivered!.body.text).toBe('Refunds are available within 14 days [1].');
  });

  it('marks the run delivery_failed when the receiver keeps failing, after retrying', async () => {
    receiver.setStatus(503);
    try {
      const { runId } = (await api.post('/webhooks/model-fallback', { question: 'Can I export my data?' })).body;
      const run = await runUntil(runId, ['delivery_failed']);
      expect(run.delivery).toMatchObject({ status: 'failed' });
      expect(run.delivery.attempts.map((a: any) => a.status)).toEqual([503, 503, 503]);
      expect(run.error.error).toBe('DeliveryFailed');
    } finally {
      receiver.setStatus(200);
    }
  });

  it('needs two distinct approvals, refuses the requester, and delivers once', async () => {
    const { runId } = (await api.post('/webhooks/two-approvers', { subject: 'Quarterly pricing change', requestedBy: 'alice@example.com' })).body;
    const approval = await waitFor(async () => (await api.get(`/runs/${runId}`)).body?.approvals?.[0], 'the approval');
    expect(approval).toMatchObject({ requiredApprovals: 2, requester: 'alice@example.com', votes: [] });

    const own = await decideAs(rt, approval, 'alice@example.com', { action: 'approve' });
    expect(own.status).toBe(403);
    const first = await decideAs(rt, approval, 'bob@example.com', { action: 'approve', reason: 'numbers checked' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'pending', votes: [{ reviewer: 'bob@example.com', channel: 'api' }] });
    expect((await decideAs(rt, approval, 'bob@example.com', { action: 'approve' })).status).toBe(409);
    expect(receiver.received.some((r) => r.body.runId === runId)).toBe(false);

    const second = await decideAs(rt, approval, 'carol@example.com', { action: 'approve' });
    expect(second.status).toBe(200);
    expect(second.body.status).toBe('approved');
    const run = await runUntil(runId, ['delivered']);
    expect(run.approvals[0].votes.map((v: any) => v.reviewer)).toEqual(['bob@example.com', 'carol@example.com']);
    expect(receiver.received.filter((r) => r.body.runId === runId)).toHaveLength(1);
    expect(run.audit.find((e: any) => e.type === 'approval.decision_refused').details.reason).toBe('self_approval');
  });

  it('lets concurrent approvals reach the quorum exactly once', async () => {
    const { runId } = (await api.post('/webhooks/two-approvers', { subject: 'Concurrent quorum' })).body;
    const approval = await waitFor(async () => (await api.get(`/runs/${runId}`)).body?.approvals?.[0], 'the approval');
    const results = await Promise.all(['alice@example.com', 'bob@example.com', 'carol@example.com'].map((r) => decideAs(rt, approval, r, { action: 'approve' })));
    const run = await runUntil(runId, ['delivered']);
    expect(run.approvals[0].status).toBe('approved');
    expect(run.approvals[0].votes).toHaveLength(2);
    expect(results.filter((r) => r.status === 200).length).toBe(2);
    expect(results.filter((r) => r.status === 409).length).toBe(1);
    expect(receiver.received.filter((r) => r.body.runId === runId)).toHaveLength(1);
  });

  it('decides each part of a multi-part approval separately and resumes only after the last', async () => {
    const { runId } = (await api.post('/webhooks/rfp-sections', { customer: 'Globex' })).body;
    const approval = await waitFor(async () => (await api.get(`/runs/${runId}`)).body?.approvals?.[0], 'the approval');
    expect(approval.items.map((i: any) => [i.itemId, i.reviewers, i.status])).toEqual([
      ['pricing', ['finance@example.com'], 'pending'],
      ['security', ['security@example.com'], 'pending'],
    ]);
    const [pricing, security] = approval.items;
    const itemPath = (item: any) => ({ approvalId: `${approval.approvalId}/items/${item.itemId}`, draftHash: item.draftHash });

    expect((await decideAs(rt, approval, 'finance@example.com', { action: 'approve' })).status).toBe(400);
    expect((await decideAs(rt, itemPath(pricing), 'security@example.com', { action: 'approve' })).status).toBe(403);
    const first = await decideAs(rt, itemPath(pricing), 'finance@example.com', { action: 'edit', text: 'Pricing: 10% discount in year one.', reasonCode: 'inaccurate' });
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('pending');
    expect((await decideAs(rt, itemPath(pricing), 'finance@example.com', { action: 'approve' })).status).toBe(409);
    await new Promise((r) => setTimeout(r, 200));
    expect((await api.get(`/runs/${runId}`)).body.status).toBe('awaiting_approval');

    const last = await decideAs(rt, itemPath(security), 'security@example.com', { action: 'reject', reasonCode: 'sensitive', reason: 'legal must answer' });
    expect(last.status).toBe(200);
    expect(last.body.status).toBe('decided');
    const run = await runUntil(runId, ['delivered']);
    const delivered = receiver.received.filter((r) => r.body.runId === runId);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.body.text).toBe('## Pricing\n\nPricing: 10% discount in year one.');
    expect(delivered[0]!.body.approval.items.map((i: any) => [i.itemId, i.status])).toEqual([
      ['pricing', 'edited'],
      ['security', 'rejected'],
    ]);
    expect(run.approvals[0].items[1]).toMatchObject({ status: 'rejected', decision: { reviewer: 'security@example.com', reasonCode: 'sensitive' } });
  });

  it('reminds reviewers on schedule (fake time): once per period, not before, not after the deadline', async () => {
    const { runId } = (await api.post('/webhooks/reminded', { subject: 'Remind me' })).body;
    const approval = await waitFor(async () => (await api.get(`/runs/${runId}`)).body?.approvals?.[0], 'the approval');
    const requestedAt = Date.parse(approval.requestedAt);
    const reminders = async () => (await api.get(`/runs/${runId}`)).body.audit.filter((e: any) => e.type === 'approval.reminded' && e.details.approvalId === approval.approvalId);
    const emails = async () => (await api.get(`/outbox?approvalId=${encodeURIComponent(approval.approvalId)}`)).body;

    await rt.runSchedules(new Date(requestedAt + 60 * 60_000)); // 1 h: not yet
    expect(await reminders()).toHaveLength(0);
    await rt.runSchedules(new Date(requestedAt + 2 * 60 * 60_000 + 1000)); // 2 h: remind
    await rt.runSchedules(new Date(requestedAt + 2 * 60 * 60_000 + 2000)); // same period: no second reminder
    expect(await reminders()).toHaveLength(1);
    await rt.runSchedules(new Date(requestedAt + 4 * 60 * 60_000 + 5000)); // 4 h: remind again
    expect(await reminders()).toHaveLength(2);
    await rt.runSchedules(new Date(requestedAt + 25 * 60 * 60_000)); // past the deadline: never
    expect(await reminders()).toHaveLength(2);
    expect(JSON.stringify(await emails())).toContain('support-agent@example.com');
  });
});
