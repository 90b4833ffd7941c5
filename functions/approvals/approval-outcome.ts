/**
 * A decided approval's outcome, rebuilt from the stored approval alone: what resumes the run
 * (resume-run.ts sends its reference) and what the steps after it read (the decided text, through
 * functions/steps/run-view.ts). Pure: no AWS client.
 */
import type { ApprovalRecord } from '../records/approvals.js';
import type { ApprovalOutcome, ApprovalRef } from '../shared/step-contract.js';
import { joinedDraft } from './approval-items.js';

export type ResumeMessage = { readonly kind: 'success'; readonly output: ApprovalOutcome } | { readonly kind: 'failure'; readonly cause: Record<string, unknown> };

/** The message a decided approval resumes its run with; undefined while it is not decided. */
export function resumeMessage(approval: ApprovalRecord): ResumeMessage | undefined {
  const { approvalId, stepId } = approval;
  if (approval.status === 'decided' && approval.items) {
    const items = approval.items.map((i) => ({
      itemId: i.itemId, title: i.title, status: i.status, reviewer: i.decision?.reviewer, ...(i.status === 'rejected' ? {} : { text: i.finalText ?? i.draft.text }),
    }));
    if (items.every((i) => i.status === 'rejected')) return { kind: 'failure', cause: { approvalId, items } };
    const decidedAt = approval.resumeRequestedAt ?? approval.items.map((i) => i.decision?.decidedAt ?? '').sort().at(-1)!;
    return {
      kind: 'success',
      output: {
        approvalId, stepId,
        action: items.some((i) => i.status === 'edited') ? 'edit' : 'approve',
        reviewer: [...new Set(items.map((i) => i.reviewer).filter(Boolean))].join(', '),
        text: approval.finalText!,
        originalText: joinedDraft(approval.items),
        decidedAt,
        items,
      },
    };
  }
  const decision = approval.decision;
  // auto_approved requests carry graduated autonomy's decision (functions/autonomy/assess.ts).
  if (!decision || !['approved', 'edited', 'rejected', 'auto_approved'].includes(approval.status)) return undefined;
  if (decision.action === 'reject') {
    return { kind: 'failure', cause: { approvalId, reviewer: decision.reviewer, reasonCode: decision.reasonCode, reason: decision.reason ?? '' } };
  }
  return {
    kind: 'success',
    output: {
      approvalId, stepId, action: decision.action, reviewer: decision.reviewer,
      text: approval.finalText ?? (decision.action === 'edit' ? decision.text! : approval.draft.text),
      originalText: approval.draft.text,
      decidedAt: decision.decidedAt,
    },
  };
}

/** What the execution state keeps of an outcome: who decided what, not the text (it stays on the approval). */
export function approvalRef(outcome: ApprovalOutcome): ApprovalRef {
  const { text: _text, originalText: _originalText, items, ...ref } = outcome;
  return { ...ref, ...(items ? { items: items.map(({ itemId, status, reviewer }) => ({ itemId, status, ...(reviewer ? { reviewer } : {}) })) } : {}) };
}
