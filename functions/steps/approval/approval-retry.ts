/**
 * A retried invocation of an approval state finds its request already stored. The state now waits
 * on the token of this invocation, so the stored request takes that token; then whatever the first
 * invocation or a reviewer did since is carried on: a decided request resumes the run with its
 * decision, an auto-approved one with the draft, a pending one waits (and if the first invocation
 * stopped before linking it to its run, the handler finishes that work).
 */
import { completeAutoApproval } from '../../autonomy/auto-approve.js';
import { resumeMessage } from '../../approvals/approval-outcome.js';
import { sendResume } from '../../approvals/resume-run.js';
import { getApproval, replaceTaskToken, type ApprovalRecord } from '../../records/approvals.js';
import { getRun } from '../../records/runs.js';
import { ConflictError } from '../../shared/errors.js';
import { logger } from '../../shared/logger.js';

async function withToken(approvalId: string, token: string): Promise<ApprovalRecord> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const stored = await getApproval(approvalId);
    if (!stored) throw new ConflictError(`Approval ${approvalId} vanished while its state was retried`);
    if (stored.taskToken === token) return stored;
    const current = await replaceTaskToken(approvalId, stored.taskToken, token);
    if (current) return current;
  }
  throw new ConflictError(`Approval ${approvalId}: its task token kept changing while its state was retried`);
}

/**
 * Returns the state's result, or undefined when the request is pending and not yet linked to its
 * run: the first invocation stopped early, and the caller does the rest of its work.
 */
export async function continueStoredRequest(approvalId: string, token: string, draftHash: string): Promise<Record<string, unknown> | undefined> {
  const approval = await withToken(approvalId, token);
  // The same request id with another draft is not a retry: the run came back to this step.
  if (approval.draftHash !== draftHash) {
    throw new ConflictError(`Approval step ${approval.stepId} was entered again with another draft; a workflow may not loop back through an approval step`);
  }
  const linked = (await getRun(approval.runId))?.approvalIds?.includes(approvalId) ?? false;
  if (approval.status === 'pending') return linked ? { approvalId, duplicate: true } : undefined;
  if (approval.status === 'auto_approved' && approval.autonomy && !linked) {
    return completeAutoApproval({
      approvalId, runId: approval.runId, workflowId: approval.workflowId, stepId: approval.stepId, taskToken: token, text: approval.draft.text,
      decidedAt: approval.decision?.decidedAt ?? approval.requestedAt, autonomy: approval.autonomy,
    });
  }
  // Escalated or expired: nothing resumes this level; its state times out as it would have.
  if (!resumeMessage(approval)) return { approvalId, duplicate: true };
  // Decided (or auto-approved and recorded) before this invocation: that resumes the state waiting now.
  const sent = await sendResume(approval);
  logger.info('approval state retried after its request was decided', { approvalId, status: approval.status, sent });
  return { approvalId, duplicate: true, resumed: sent === 'sent' };
}
