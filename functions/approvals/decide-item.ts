/**
 * Decides one part of a multi-part approval. The same server-side checks as a whole decision
 * apply (reviewer of that part, not their own request, still pending, the draft hash of that part,
 * a reason code for edits and rejections); when the last part is decided, the run resumes once.
 */
import { SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { closeDecidedApproval, recordItemDecision } from '../records/approval-items.js';
import { getApproval, type ApprovalRecord, type Decision, type DecisionChannel } from '../records/approvals.js';
import { recordAudit } from '../records/audit.js';
import { sfnClient } from '../shared/aws-clients.js';
import { ConflictError, ERROR_NAMES, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.js';
import type { ApprovalOutcome } from '../shared/step-contract.js';
import { deliveredText, joinedDraft } from './approval-items.js';
import type { DecisionInput } from './decide.js';
import { summarizeEdit } from './edit-diff.js';

async function refuse(approval: ApprovalRecord, reviewer: string, channel: DecisionChannel, reason: string, error: Error): Promise<never> {
  await recordAudit({ subject: approval.runId, runId: approval.runId, type: 'approval.decision_refused', actor: reviewer, details: { approvalId: approval.approvalId, channel, reason } });
  throw error;
}

export async function decideItem(approvalId: string, itemId: string, input: DecisionInput, channel: DecisionChannel): Promise<ApprovalRecord> {
  const approval = await getApproval(approvalId);
  if (!approval) throw new NotFoundError(`No approval ${approvalId}`);
  if (!approval.items) throw new ValidationError(`Approval ${approvalId} has no parts; POST /approvals/${approvalId}/decision`, 'itemId');
  const index = approval.items.findIndex((i) => i.itemId === itemId);
  const item = approval.items[index];
  if (!item) throw new NotFoundError(`Approval ${approvalId} has no part "${itemId}" (parts: ${approval.items.map((i) => i.itemId).join(', ')})`);

  // At level 0 each part has its own reviewers; after an escalation, the level's reviewers decide any part.
  const allowed = approval.level === 0 ? item.reviewers : approval.reviewers;
  if (!allowed.includes(input.reviewer)) await refuse(approval, input.reviewer, channel, 'not_a_reviewer', new ForbiddenError(`${input.reviewer} does not review part ${itemId}`));
  if (input.action !== 'reject' && !approval.allowSelfApproval && approval.requester === input.reviewer) {
    await refuse(approval, input.reviewer, channel, 'self_approval', new ForbiddenError(`${input.reviewer} requested this run and may not approve it`));
  }
  if (approval.status !== 'pending' || item.status !== 'pending') throw new ConflictError(`Part ${itemId} of approval ${approvalId} is already ${item.status === 'pending' ? approval.status : item.status}`);
  if (input.draftHash !== item.draftHash) {
    await refuse(approval, input.reviewer, channel, 'stale_draft', new ConflictError(`The draft of part ${itemId} changed since you reviewed it (current draftHash ${item.draftHash})`));
  }
  if (input.action !== 'approve' && !input.reasonCode) throw new ValidationError(`reasonCode: this decision needs a reason code (${approval.reasons.join(', ')})`, 'reasonCode');
  if (input.reasonCode && !approval.reasons.includes(input.reasonCode)) throw new ValidationError(`reasonCode: "${input.reasonCode}" is not one of ${approval.reasons.join(', ')}`, 'reasonCode');

  const decidedAt = new Date().toISOString();
  const finalText = input.action === 'edit' ? input.text : input.action === 'approve' ? item.draft.text : undefined;
  const decision: Decision = {
    action: input.action,
    reviewer: input.reviewer,
    channel,
    decidedAt,
    ...(input.action === 'edit' ? { text: input.text, ...summarizeEdit(item.draft.text, input.text!) } : {}),
    ...(input.reasonCode ? { reasonCode: input.reasonCode } : {}),
    ...(input.reason ? { reason: input.reason } : {}),
  };
  const updated = await recordItemDecision(approvalId, index, decision, finalText, item.draftHash);
  await recordAudit({ subject: approval.runId, runId: approval.runId, type: 'approval.item_decided', actor: input.reviewer, details: { approvalId, itemId, action: input.action, channel, reasonCode: input.reasonCode } });

  const items = updated.items ?? [];
  if (items.some((i) => i.status === 'pending')) return updated;
  const text = deliveredText(items);
  if (!(await closeDecidedApproval(approvalId, text))) return updated; // another decision closed it
  await resume(updated, text, decidedAt);
  return { ...updated, status: 'decided', finalText: text };
}

async function resume(approval: ApprovalRecord, text: string, decidedAt: string): Promise<void> {
  const items = (approval.items ?? []).map((i) => ({ itemId: i.itemId, title: i.title, status: i.status, reviewer: i.decision?.reviewer, ...(i.status === 'rejected' ? {} : { text: i.finalText ?? i.draft.text }) }));
  if (items.every((i) => i.status === 'rejected')) {
    await sfnClient().send(
      new SendTaskFailureCommand({ taskToken: approval.taskToken, error: ERROR_NAMES.approvalRejected, cause: JSON.stringify({ approvalId: approval.approvalId, items }) }),
    );
    return;
  }
  const outcome: ApprovalOutcome = {
    approvalId: approval.approvalId,
    stepId: approval.stepId,
    action: items.some((i) => i.status === 'edited') ? 'edit' : 'approve',
    reviewer: [...new Set(items.map((i) => i.reviewer).filter(Boolean))].join(', '),
    text,
    originalText: joinedDraft(approval.items ?? []),
    decidedAt,
    items,
  };
  await sfnClient().send(new SendTaskSuccessCommand({ taskToken: approval.taskToken, output: JSON.stringify(outcome) }));
}
