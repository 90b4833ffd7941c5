/**
 * Decides one part of a multi-part approval. The same server-side checks as a whole decision
 * apply (reviewer of that part, not their own request, still pending, the draft hash of that part,
 * a reason code for edits and rejections); when the last part is decided, the run resumes once
 * (closing the approval records the intent to resume, for the reconciler, as a whole decision does).
 */
import { closeDecidedApproval, recordItemDecision } from '../records/approval-items.js';
import { clearPendingResume, getApproval, RESUME_PENDING, timeToDecisionMs, type ApprovalRecord, type Decision, type DecisionAuth, type DecisionChannel } from '../records/approvals.js';
import { recordAudit } from '../records/audit.js';
import { publishDecision } from '../shared/metrics.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import { deliveredText } from './approval-items.js';
import type { DecisionInput } from './decide.js';
import { checkDecision } from './decision-checks.js';
import { summarizeEdit } from './edit-diff.js';
import { resumeAfterDecision } from './resume-after-decision.js';

export async function decideItem(approvalId: string, itemId: string, input: DecisionInput, channel: DecisionChannel, auth: DecisionAuth): Promise<ApprovalRecord> {
  let approval = await getApproval(approvalId);
  if (!approval) throw new NotFoundError(`No approval ${approvalId}`);
  if (!approval.items) throw new ValidationError(`Approval ${approvalId} has no parts; POST /approvals/${approvalId}/decision`, 'itemId');
  // Every part decided but the request still open: an earlier decision stopped before closing it.
  if (approval.status === 'pending' && !approval.items.some((i) => i.status === 'pending')) approval = await closeParts(approval, new Date().toISOString());
  const index = approval.items!.findIndex((i) => i.itemId === itemId);
  const item = approval.items![index];
  if (!item) throw new NotFoundError(`Approval ${approvalId} has no part "${itemId}" (parts: ${approval.items!.map((i) => i.itemId).join(', ')})`);

  // At level 0 each part has its own reviewers; after an escalation, the level's reviewers decide any part.
  const reviewers = approval.level === 0 ? item.reviewers : approval.reviewers;
  const status = approval.status === 'pending' ? item.status : approval.status;
  await checkDecision(approval, { label: `part ${itemId} of approval ${approvalId}`, reviewers, draftHash: item.draftHash, status }, input, channel, auth);

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
  // The last part closes the request and resumes the run before anything else is written.
  const result = updated.items?.some((i) => i.status === 'pending') ? updated : await closeParts(updated, decidedAt);
  publishDecision({ workflowId: approval.workflowId, action: input.action, reasonCode: input.reasonCode, routeKey: approval.routeKey, timeToDecisionMs: timeToDecisionMs(approval.requestedAt, decidedAt), editDistance: decision.editDistance });
  await recordAudit({ subject: approval.runId, runId: approval.runId, type: 'approval.item_decided', actor: input.reviewer, details: { approvalId, itemId, action: input.action, channel, authenticatedBy: auth.method, reasonCode: input.reasonCode } });
  return result;
}

/** Closes a request whose parts are all decided (recording the intent to resume) and resumes its run. */
async function closeParts(approval: ApprovalRecord, decidedAt: string): Promise<ApprovalRecord> {
  const text = deliveredText(approval.items ?? []);
  if (!(await closeDecidedApproval(approval.approvalId, text, decidedAt))) return (await getApproval(approval.approvalId)) ?? approval; // another decision closed it
  const closed: ApprovalRecord = { ...approval, status: 'decided', finalText: text, resumeState: RESUME_PENDING, resumeRequestedAt: decidedAt };
  if ((await resumeAfterDecision(closed)) === 'late') {
    await clearPendingResume(approval.approvalId, decidedAt, 'the decision arrived after the approval had timed out');
    throw new ConflictError(`Approval ${approval.approvalId} timed out before this decision arrived`);
  }
  return closed;
}
