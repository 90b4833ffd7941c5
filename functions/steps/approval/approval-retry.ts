/**
 * A retried invocation of an approval state finds its request already stored. The state now waits
 * on the token of this invocation, so the stored request takes that token; then whatever the first
 * invocation or a reviewer did since is carried on: a pending request marks its run as awaiting
 * (the first invocation may have stopped before that), a decided one resumes the run with its
 * decision, an auto-approved one with the draft.
 */
import { completeAutoApproval } from '../../autonomy/auto-approve.js';
import { resumeMessage, sendResume } from '../../approvals/resume-run.js';
import { getApproval, replaceTaskToken, type ApprovalRecord } from '../../records/approvals.js';
import { getRun, updateRun } from '../../records/runs.js';
import { ConflictError } from '../../shared/errors.js';
import { logger } from '../../shared/logger.js';

async function withToken(approvalId: string, token: string): Promise<ApprovalRecord> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const stored = await getApproval(approvalId);
    if (!stored) throw new ConflictError(`Approval ${approvalId} vanished while its state was retried`);
    if (stored.taskToken === token) return stored;
    if (await replaceTaskToken(approvalId, stored.taskToken, token)) return { ...stored, taskToken: token };
  }
  throw new ConflictError(`Approval ${approvalId}: its task token kept changing while its state was retried`);
}

export async function continueStoredRequest(approvalId: string, token: string): Promise<Record<string, unknown>> {
  const approval = await withToken(approvalId, token);
  const { runId } = approval;
  if (approval.status === 'pending') {
    const run = await getRun(runId);
    const linked = run?.approvalIds?.includes(approvalId) ?? false;
    await updateRun(runId, { status: 'awaiting_approval' }, { onlyIfStatusIn: ['running', 'awaiting_approval'], ...(linked ? {} : { appendApprovalId: approvalId }) }).catch((err: unknown) => {
      if (!(err instanceof ConflictError)) throw err;
    });
    return { approvalId, duplicate: true };
  }
  if (approval.status === 'auto_approved' && approval.autonomy) {
    return completeAutoApproval({
      approvalId, runId, workflowId: approval.workflowId, stepId: approval.stepId, taskToken: token, text: approval.draft.text,
      decidedAt: approval.decision?.decidedAt ?? approval.requestedAt, autonomy: approval.autonomy,
    });
  }
  // Escalated or expired: nothing resumes this level; its state times out as it would have.
  if (!resumeMessage(approval)) return { approvalId, duplicate: true };
  // Decided before this invocation: the decision resumes the state that waits now.
  const sent = await sendResume(approval);
  logger.info('approval state retried after its request was decided', { approvalId, status: approval.status, sent });
  return { approvalId, duplicate: true, resumed: sent === 'sent' };
}
