/**
 * The approval handler's use of the policy: which requests cost a read of the path's figures (only
 * first-level, single-approver requests on a path with a rule), and what is stored on the request.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { PathStats } from '../../../functions/autonomy/stats-store.js';

const readStats = vi.fn<(routeKey: string) => Promise<PathStats>>();
vi.mock('../../../functions/autonomy/stats-store.js', () => ({ readStats: (key: string) => readStats(key) }));
const { approvalPolicySchema, assessAutonomy, autonomyFields } = await import('../../../functions/autonomy/assess.js');

const policy = approvalPolicySchema.parse({
  alwaysReview: [{ category: 'legal', when: [{ path: 'input.category', equals: 'legal' }] }],
  autonomy: { 'triage/routine': { minDecisions: 2, minUneditedApprovalRate: 0.8, spotCheckRate: 0, window: 10 } },
});
const approvals = (n: number) => Array.from({ length: n }, (_, i) => ({ approvalId: `a${i}`, action: 'approve' as const, ms: 1000, at: '2025-01-01T00:00:00.000Z' }));
const stats = (n: number, engagedAt?: string): PathStats => ({ routeKey: 'wf/triage/routine', recent: approvals(n), decisions: n, autoApproved: 0, engaged: !!engagedAt, ...(engagedAt ? { engagedAt } : {}) });
const state = (path: string | undefined, input: Record<string, unknown> = {}) => ({
  run: { runId: 'run-1', workflowId: 'wf', version: 'v1' },
  input,
  steps: {},
  ...(path ? { routes: { triage: path } } : {}),
});

beforeEach(() => readStats.mockReset());

describe('assessAutonomy', () => {
  it.each([
    { name: 'no route taken', args: { policy, state: state(undefined), level: 0, eligible: true }, expected: { autoApprove: false } },
    { name: 'no policy (e.g. support-reply)', args: { state: state('routine'), level: 0, eligible: true }, expected: { autoApprove: false, routeKey: 'wf/triage/routine' } },
    { name: 'a path without a rule', args: { policy, state: state('urgent'), level: 0, eligible: true }, expected: { autoApprove: false, routeKey: 'wf/triage/urgent' } },
    {
      name: 'a path without a rule, in a category',
      args: { policy, state: state('urgent', { category: 'legal' }), level: 0, eligible: true },
      expected: { autoApprove: false, routeKey: 'wf/triage/urgent', autonomy: { routeKey: 'wf/triage/urgent', status: 'always_review', category: 'legal' } },
    },
    { name: 'an escalation level', args: { policy, state: state('routine'), level: 1, eligible: true }, expected: { autoApprove: false, autonomy: { status: 'escalated', rule: { window: 10 } } } },
    { name: 'a quorum approval', args: { policy, state: state('routine'), level: 0, eligible: false }, expected: { autoApprove: false, autonomy: { status: 'not_eligible' } } },
  ])('$name: no DynamoDB read', async ({ args, expected }) => {
    const assessment = await assessAutonomy(args);
    expect(assessment).toMatchObject(expected);
    expect(readStats).not.toHaveBeenCalled();
  });

  it.each([
    { name: 'learning', stored: stats(1), input: {}, autoApprove: false, status: 'learning' },
    { name: 'met', stored: stats(2), input: {}, autoApprove: true, status: 'auto_approved' },
    { name: 'met, but legal', stored: stats(2), input: { category: 'legal' }, autoApprove: false, status: 'always_review' },
    { name: 'below the bar after being met', stored: { ...stats(2, '2025-01-01T00:00:00.000Z'), recent: [...approvals(2), { approvalId: 'r', action: 'reject' as const, ms: 1, at: '' }] }, input: {}, autoApprove: false, status: 'suspended' },
  ])('a path with a rule reads its figures once: $name', async ({ stored, input, autoApprove, status }) => {
    readStats.mockResolvedValueOnce(stored);
    const assessment = await assessAutonomy({ policy, state: state('routine', input), level: 0, eligible: true });
    expect(readStats).toHaveBeenCalledExactlyOnceWith('wf/triage/routine');
    expect(assessment).toMatchObject({ autoApprove, routeKey: 'wf/triage/routine', autonomy: { status, rule: { minDecisions: 2 }, figures: { decisions: stored.recent.length } } });
    expect(assessment.autonomy?.spotCheckDraw).toBeGreaterThanOrEqual(0);
  });
});

describe('autonomyFields', () => {
  it('adds nothing without a route, the route and reasons for review, and a decision for an auto-approval', async () => {
    expect(autonomyFields({ autoApprove: false }, 'draft', 'now')).toEqual({});
    expect(autonomyFields({ autoApprove: false, routeKey: 'wf/t/p' }, 'draft', 'now')).toEqual({ routeKey: 'wf/t/p' });
    const autonomy = { routeKey: 'wf/t/p', status: 'auto_approved' as const };
    expect(autonomyFields({ autoApprove: true, routeKey: 'wf/t/p', autonomy }, 'draft', 'now')).toEqual({
      routeKey: 'wf/t/p',
      autonomy,
      status: 'auto_approved',
      finalText: 'draft',
      decision: { action: 'approve', reviewer: 'handrail-autonomy', channel: 'autonomy', decidedAt: 'now' },
    });
  });
});
