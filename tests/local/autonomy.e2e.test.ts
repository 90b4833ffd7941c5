/**
 * Graduated autonomy end to end on the local runtime: a routine path learns from human decisions,
 * starts auto-approving (and delivering) once the rule is met, still spot-checks about a quarter of
 * runs, never auto-approves an alwaysReview category, and falls back to review when rejections and
 * edits bring the unedited-approval rate below the bar. Idempotency keys make the run ids, and so
 * the spot-check draws, the same on every test run.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spotCheckDraw } from '../../functions/autonomy/figures.js';
import { recordHumanDecision } from '../../functions/autonomy/record-decision.js';
import { appendDecision, readStats, trimDecisions } from '../../functions/autonomy/stats-store.js';
import type { ApprovalRecord } from '../../functions/records/approvals.js';
import { auditTrail } from '../../functions/records/audit.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { client, decideAs, startSignedReceiver, startTestRuntime, waitFor } from '../support/local-runtime.js';

const workflowsDir = fileURLToPath(new URL('../fixtures/autonomy-workflows', import.meta.url));
const bin = fileURLToPath(new URL('../../cli/bin.js', import.meta.url));
const REVIEWER = 'reviewer@example.com';
const ROUTINE = 'autonomy-demo/triage/routine';
const URGENT = 'autonomy-demo/triage/urgent';
let rt: LocalRuntime;
let api: ReturnType<typeof client>;
let receiver: Awaited<ReturnType<typeof startSignedReceiver>>;
/** Pending legal approvals, left for the test that brings the rate down. */
const legalApprovals: any[] = [];

async function start(key: string, input: Record<string, unknown>): Promise<string> {
  const res = await api.post('/webhooks/autonomy-demo', input, { 'idempotency-key': key });
  expect(res.status).toBe(202);
  return res.body.runId;
}

/** The run's first approval once it is pending, or once it is auto-approved and the run delivered. */
async function settled(runId: string): Promise<{ run: any; approval: any }> {
  return waitFor(async () => {
    const run = (await api.get(`/runs/${runId}`)).body;
    const approval = run?.approvals?.[0];
    if (approval?.status === 'pending' || (approval?.status === 'auto_approved' && run.status === 'delivered')) return { run, approval };
    return undefined;
  }, `run ${runId} to wait for review or be delivered`);
}

async function pathReport(routeKey: string) {
  const res = await api.get('/autonomy?workflowId=autonomy-demo');
  expect(res.status).toBe(200);
  return res.body.paths.find((p: any) => p.routeKey === routeKey);
}

beforeAll(async () => {
  rt = await startTestRuntime({ workflowsDir, env: { HANDRAIL_DELIVERY_BACKOFF_MS: '10' } });
  api = client(rt);
  receiver = await startSignedReceiver(rt.deliverySecret);
  process.env.AUTONOMY_DEMO_URL = receiver.url;
});

afterAll(() => Promise.all([rt?.stop(), receiver?.close()]));

describe('graduated autonomy on the local runtime', () => {
  it('keeps review on while the path is learning, and reports paths without a rule', async () => {
    for (let i = 0; i < 5; i++) {
      const { approval } = await settled(await start(`learn-${i}`, { subject: `Password reset ${i}` }));
      expect(approval).toMatchObject({ status: 'pending', routeKey: ROUTINE, autonomy: { status: 'learning', figures: { decisions: i } } });
      expect((await decideAs(rt, approval, REVIEWER, { action: 'approve' })).status).toBe(200);
    }
    const urgent = await settled(await start('urgent-0', { subject: 'Outage', priority: 'urgent' }));
    expect(urgent.approval).toMatchObject({ status: 'pending', routeKey: URGENT });
    expect(urgent.approval.autonomy).toBeUndefined();
    expect((await decideAs(rt, urgent.approval, REVIEWER, { action: 'edit', text: 'We are on it.', reasonCode: 'tone' })).status).toBe(200);

    expect(await pathReport(ROUTINE)).toMatchObject({
      status: 'auto_approving',
      rule: { minDecisions: 5, minUneditedApprovalRate: 0.8, spotCheckRate: 0.25, window: 10 },
      figures: { decisions: 5, approvalRate: 1, uneditedApprovalRate: 1, rejectionReasons: {}, medianDecisionMs: expect.any(Number) },
      totalDecisions: 5,
      alwaysReview: ['legal'],
    });
    expect(await pathReport(URGENT)).toMatchObject({ status: 'no_rule', rule: null, figures: { decisions: 1, uneditedApprovalRate: 0, editReasons: { tone: 1 } } });
    expect((await auditTrail(`autonomy#${ROUTINE}`)).map((e) => e.type)).toEqual(['autonomy.engaged']);
  });

  it('auto-approves and delivers once the rule is met, and spot-checks about a quarter of runs', async () => {
    const runIds = await Promise.all(Array.from({ length: 40 }, (_, i) => start(`auto-${i}`, { subject: `Invoice copy ${i}` })));
    const results = await Promise.all(runIds.map(settled));
    const auto = results.filter((r) => r.approval.status === 'auto_approved');
    const spot = results.filter((r) => r.approval.status === 'pending');
    expect(auto.length + spot.length).toBe(40);
    expect(spot.length).toBeGreaterThanOrEqual(4); // 25% of 40 is 10
    expect(spot.length).toBeLessThanOrEqual(18);
    expect(auto.length).toBeGreaterThanOrEqual(22);
    expect(spot.length).toBe(runIds.filter((id) => spotCheckDraw(id, ROUTINE) < 0.25).length);

    for (const { run, approval } of auto) {
      expect(approval).toMatchObject({
        decision: { action: 'approve', reviewer: 'handrail-autonomy', channel: 'autonomy' },
        finalText: approval.draft.text,
        autonomy: { status: 'auto_approved', routeKey: ROUTINE, figures: { decisions: 5, uneditedApprovalRate: 1 } },
      });
      expect(approval.autonomy.spotCheckDraw).toBeGreaterThanOrEqual(0.25);
      const delivered = receiver.received.filter((r) => r.body.runId === run.runId);
      expect(delivered).toHaveLength(1);
      expect(delivered[0]!.body).toMatchObject({ text: approval.draft.text, approval: { reviewer: 'handrail-autonomy', action: 'approve' } });
      const event = run.audit.find((e: any) => e.type === 'approval.auto_approved');
      expect(event).toMatchObject({ actor: 'handrail-autonomy', details: { routeKey: ROUTINE, figures: { decisions: 5, uneditedApprovalRate: 1 } } });
    }

    // Spot checks are ordinary pending approvals, in the inbox, decided by a human.
    const inbox = (await api.get('/approvals?status=pending&workflowId=autonomy-demo&limit=100')).body.approvals.map((a: any) => a.approvalId);
    for (const { run, approval } of spot) {
      expect(approval.autonomy).toMatchObject({ status: 'spot_check', figures: { decisions: 5 } });
      expect(approval.autonomy.spotCheckDraw).toBeLessThan(0.25);
      expect(approval.decision).toBeUndefined();
      expect(run.status).toBe('awaiting_approval');
      expect(inbox).toContain(approval.approvalId);
    }
    const autoListed = (await api.get('/approvals?status=auto_approved&limit=100')).body.approvals;
    expect(autoListed).toHaveLength(auto.length);

    // Decided together: concurrent decisions on one path all count.
    const decided = await Promise.all(spot.map(({ approval }) => decideAs(rt, approval, REVIEWER, { action: 'approve' })));
    expect(decided.every((d) => d.status === 200)).toBe(true);
    await Promise.all(spot.map(({ run }) => waitFor(async () => (await api.get(`/runs/${run.runId}`)).body.status === 'delivered', 'spot check delivered')));
    expect(await pathReport(ROUTINE)).toMatchObject({
      status: 'auto_approving',
      autoApproved: auto.length,
      totalDecisions: 5 + spot.length,
      figures: { decisions: 10, uneditedApprovalRate: 1 },
    });
    const stats = await readStats(ROUTINE);
    expect(stats.recent.slice(-spot.length).every((e) => e.spotCheck)).toBe(true);
  });

  it('never auto-approves a run in an alwaysReview category', async () => {
    const legal = await Promise.all(Array.from({ length: 6 }, (_, i) => start(`legal-${i}`, { subject: `Contract question ${i}`, category: 'legal' })).map(async (id) => settled(await id)));
    for (const { approval } of legal) {
      expect(approval).toMatchObject({ status: 'pending', autonomy: { status: 'always_review', category: 'legal', figures: { decisions: 10, uneditedApprovalRate: 1 } } });
    }
    // Some of these would have been auto-approved (not drawn for a spot check) but for the category.
    expect(legal.some(({ approval }) => approval.autonomy.spotCheckDraw >= 0.25)).toBe(true);
    legalApprovals.push(...legal.map((l) => l.approval));
  });

  it('resumes review when rejections and edits bring the rate below the bar', async () => {
    const [first, second, third] = legalApprovals;
    expect((await decideAs(rt, first, REVIEWER, { action: 'reject', reasonCode: 'policy' })).status).toBe(200);
    expect((await decideAs(rt, second, REVIEWER, { action: 'reject', reasonCode: 'policy' })).status).toBe(200);
    expect(await pathReport(ROUTINE)).toMatchObject({ status: 'auto_approving', figures: { uneditedApprovalRate: 0.8 } }); // 8/10: still at the bar
    expect((await decideAs(rt, third, REVIEWER, { action: 'edit', text: 'Our counsel will reply.', reasonCode: 'tone' })).status).toBe(200);

    const report = await pathReport(ROUTINE);
    expect(report).toMatchObject({
      status: 'suspended',
      figures: { decisions: 10, approvalRate: 0.8, uneditedApprovalRate: 0.7, rejectionReasons: { policy: 2 }, editReasons: { tone: 1 } },
    });
    expect(report.suspendedAt).toEqual(expect.any(String));
    expect((await auditTrail(`autonomy#${ROUTINE}`)).map((e) => e.type)).toEqual(['autonomy.engaged', 'autonomy.suspended']);

    const after = await Promise.all(Array.from({ length: 4 }, (_, i) => start(`after-${i}`, { subject: `Invoice copy again ${i}` })).map(async (id) => settled(await id)));
    for (const { approval } of after) {
      expect(approval).toMatchObject({ status: 'pending', autonomy: { status: 'suspended', figures: { uneditedApprovalRate: 0.7 } } });
    }
    expect(after.some(({ approval }) => approval.autonomy.spotCheckDraw >= 0.25)).toBe(true);
  });

  it('reports through the CLI, and 404s an unknown workflow', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'autonomy', '--workflow', 'autonomy-demo'], { env: { ...process.env, HANDRAIL_URL: rt.url, HANDRAIL_TOKEN: await rt.login('author@example.com') } });
    expect(stdout).toContain(`${ROUTINE}  suspended  decisions 10/10  unedited 70%  approved 80%`);
    expect(stdout).toContain('rejections policy×2');
    expect(stdout).toContain(`${URGENT}  no-rule`);
    expect((await api.get('/autonomy?workflowId=nope')).status).toBe(404);
    expect((await api.get('/autonomy')).body.paths.map((p: any) => p.routeKey).sort()).toEqual([ROUTINE, URGENT]);
  });

  it('keeps every concurrent decision and trims the window without cutting into it', async () => {
    const rule = { minDecisions: 5, minUneditedApprovalRate: 0.8, spotCheckRate: 0, window: 10 };
    const requestedAt = new Date().toISOString();
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => {
        const approval = { approvalId: `x.${i}`, runId: `x-${i}`, workflowId: 'wf', requestedAt, routeKey: 'wf/r/p', autonomy: { routeKey: 'wf/r/p', status: 'learning', rule } };
        return recordHumanDecision(approval as unknown as ApprovalRecord, { action: 'approve', reviewer: REVIEWER, channel: 'api', decidedAt: new Date().toISOString() });
      }),
    );
    const stats = await readStats('wf/r/p');
    expect(stats.decisions).toBe(30);
    expect(stats.recent.length).toBeGreaterThanOrEqual(10);
    expect(stats.recent.length).toBeLessThan(30);
    expect(stats.engaged).toBe(true);

    // A trim removes exactly the oldest entries beyond the window, and never cuts into it.
    for (let i = 0; i < 13; i++) await appendDecision('wf/r/q', 'wf', { approvalId: `q.${i}`, action: 'approve', ms: 1, at: requestedAt }, 100);
    await trimDecisions('wf/r/q', 13, 10);
    await trimDecisions('wf/r/q', 13, 10); // a concurrent trimmer's late duplicate: a no-op
    expect((await readStats('wf/r/q')).recent.map((e) => e.approvalId)).toEqual(Array.from({ length: 10 }, (_, i) => `q.${i + 3}`));
  });
});
