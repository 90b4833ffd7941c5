import { describe, expect, it } from 'vitest';
import { buildItems, deliveredText, joinedDraft } from '../../../functions/approvals/approval-items.js';
import type { ApprovalItem } from '../../../functions/records/approvals.js';
import type { StepOf } from '../../../state-machines/schema.js';
import type { StateData } from '../../../functions/shared/step-contract.js';

const step = {
  id: 'sections',
  kind: 'approval',
  parts: [
    { id: 'pricing', title: 'Pricing', draft: 'draft_pricing', reviewers: ['finance@example.com'] },
    { id: 'legal', title: 'Legal', draft: 'draft_legal', reviewers: ['legal@example.com'] },
  ],
} as unknown as StepOf<'approval'>;

const draft = (text: string, failures: { gate: string; detail: string }[] = []) => ({
  text,
  provider: 'offline',
  model: 'offline-extractive-v1',
  citations: failures.length ? [] : [1],
  ...(failures.length ? { gates: { failed: true, contextFailed: true, failures } } : { gates: { failed: false, contextFailed: false, failures: [] } }),
});

const state = {
  run: { runId: 'r1', workflowId: 'rfp', version: 'v' },
  input: {},
  steps: {
    draft_pricing: draft('25 USD per user per month [1].'),
    draft_legal: draft('No knowledge-base article covers this question.', [{ gate: 'context', detail: 'no retrieved passage scores 3 or more' }]),
  },
} as unknown as StateData;

const decided = (item: ApprovalItem, status: ApprovalItem['status'], finalText?: string): ApprovalItem => ({
  ...item,
  status,
  decision: { action: status === 'edited' ? 'edit' : status === 'rejected' ? 'reject' : 'approve', reviewer: item.reviewers[0]!, channel: 'api', decidedAt: '2026-01-01T00:00:00Z' } as ApprovalItem['decision'],
  ...(finalText ? { finalText } : {}),
});

describe('multi-part approval items', () => {
  it('carries the gates its draft failed onto its part, and only those', () => {
    // Act
    const [pricing, legal] = buildItems(step, state, (id) => (id === 'pricing' ? ['finance@example.com'] : ['legal@example.com']));
    // Assess
    expect(pricing!.qualityFailures).toBeUndefined();
    expect(legal!.qualityFailures).toEqual([{ gate: 'context', detail: 'no retrieved passage scores 3 or more' }]);
    expect(joinedDraft([pricing!, legal!])).toBe(
      '## Pricing\n\n25 USD per user per month [1].\n\n## Legal\n\n> Flagged: no retrieved passage scores 3 or more.\n\nNo knowledge-base article covers this question.',
    );
  });

  it.each([
    ['approved as drafted: the flag stays in the document', 'approved' as const, undefined, '## Legal\n\n> Flagged: no retrieved passage scores 3 or more. Approved as drafted by legal@example.com.\n\nNo knowledge-base article covers this question.'],
    ["edited: the reviewer's answer, unflagged", 'edited' as const, 'Our liability cap is set in the MSA.', '## Legal\n\nOur liability cap is set in the MSA.'],
    ['rejected: left out', 'rejected' as const, undefined, ''],
  ])('assembles the document in part order; a flagged part %s', (_case, status, finalText, legalSection) => {
    // Prepare
    const [pricing, legal] = buildItems(step, state, (id) => (id === 'pricing' ? ['finance@example.com'] : ['legal@example.com']));
    // Act
    const text = deliveredText([decided(pricing!, 'approved'), decided(legal!, status, finalText)]);
    // Assess
    expect(text).toBe(['## Pricing\n\n25 USD per user per month [1].', legalSection].filter(Boolean).join('\n\n'));
  });
});
