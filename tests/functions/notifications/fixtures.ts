/** An approval record as the approval handler stores it, for the payload builders' tests. */
import type { ApprovalRecord } from '../../../functions/records/approvals.js';

export function sampleApproval(overrides: Partial<ApprovalRecord> = {}): ApprovalRecord {
  return {
    approvalId: 'run-1.review.0',
    runId: 'run-1',
    workflowId: 'channels-demo',
    stepId: 'review',
    level: 0,
    status: 'pending',
    reviewers: ['support-agent@example.com', 'support-lead@example.com'],
    taskToken: 'token-secret',
    requestedAt: '2026-01-01T10:00:00.000Z',
    deadline: '2026-01-02T10:00:00.000Z',
    input: { subject: 'Refund <@U123> & more', body: 'How do I\nget a refund?' },
    draft: { text: 'Hi, refunds take 5 days [1].', provider: 'offline', model: 'offline-extractive-v1', citations: [1] },
    draftHash: '0123456789abcdef0123456789abcdef',
    reasons: ['tone', 'policy'],
    requiredApprovals: 1,
    allowSelfApproval: false,
    votes: [],
    voterIds: [],
    sources: [
      { n: 1, title: 'Refunds', docId: 'refunds', version: 2, passageId: 'refunds@v2#0', text: 'Refunds take 5 days.', score: 3 },
      { n: 2, title: 'Shipping', docId: 'shipping', version: 1, passageId: 'shipping@v1#0', text: 'We ship.', score: 1 },
    ],
    ...overrides,
  };
}
