/**
 * Applies a reviewer's decision, whatever channel it came through. Checked on the server, in order:
 * the approval exists, the reviewer is one of its reviewers, it is not their own request (unless
 * allowed), it is still pending, the decision quotes the hash of the draft it was made on, and edits
 * and rejections carry a reason code from the taxonomy. Exactly one final decision wins (a
 * conditional write from `pending`, which also records the intent to resume the run); then the
 * waiting state machine is resumed with SendTaskSuccess (approve / edit) or SendTaskFailure
 * (reject → `ApprovalRejected`). The SDK retries that call; if it still fails, the decision stands
 * and the reconciler (reconcile-decisions.ts) resumes the run: a reviewer who got 200 was right
 * (resume-after-decision.ts; only a wait that timed out first makes it a late decision, 409).
 */
import type * as z from 'zod';
import { addVote, expireLateDecision, getApproval, recordDecision, timeToDecisionMs, type ApprovalRecord, type Decision, type DecisionAuth, type DecisionChannel, type Vote } from '../records/approvals.js';
import { recordHumanDecision } from '../autonomy/record-decision.js';
import { recordAudit } from '../records/audit.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import { publishDecision } from '../shared/metrics.js';
import { updateSlackMessages } from '../notifications/slack-send.js';
import { checkDecision } from './decision-checks.js';
import { decisionSchema } from './decision-schema.js';
import { summarizeEdit } from './edit-diff.js';
import { resumeAfterDecision } from './resume-after-decision.js';

export { decisionBodySchema, decisionSchema } from './decision-schema.js';

export type DecisionInput = z.infer<typeof decisionSchema>;

async function checkWholeDecision(approval: ApprovalRecord, input: DecisionInput, channel: DecisionChannel, auth: DecisionAuth): Promise<void> {
  if (approval.items) throw new ValidationError(`Approval ${approval.approvalId} has parts; decide each at POST /approvals/${approval.approvalId}/items/{itemId}/decision`, 'itemId');
  await checkDecision(approval, { label: `approval ${approval.approvalId}`, reviewers: approval.reviewers, draftHash: approval.draftHash, status: approval.status }, input, channel, auth);
  if (input.action === 'approve' && approval.voterIds.includes(input.reviewer)) throw new ConflictError(`${input.reviewer} has already approved this request`);
}

/** `auth`: how the reviewer proved who they are (recorded with the decision; a sensitive step needs a sign-in). */
export async function decide(approvalId: string, input: DecisionInput, channel: DecisionChannel, auth: DecisionAuth): Promise<ApprovalRecord> {
  for (let attempt = 0; ; attempt++) {
    const approval = await getApproval(approvalId);
    if (!approval) throw new NotFoundError(`No approval ${approvalId}`);
    await checkWholeDecision(approval, input, channel, auth);

    const decidedAt = new Date().toISOString();
    const vote: Vote = { reviewer: input.reviewer, channel, decidedAt, ...(input.reason ? { reason: input.reason } : {}) };
    const quorumReached = input.action !== 'approve' || approval.voterIds.length + 1 >= approval.requiredApprovals;
    try {
      if (!quorumReached) {
        const updated = await addVote(approvalId, vote, approval.voterIds.length, approval.draftHash);
        await recordAudit({ subject: approval.runId, runId: approval.runId, type: 'approval.vote', actor: input.reviewer, details: { approvalId, channel, authenticatedBy: auth.method, votes: updated.voterIds.length, required: approval.requiredApprovals } });
        return updated;
      }
      return await finalize(approval, input, channel, auth, decidedAt, vote);
    } catch (err) {
      // Another vote landed between our read and write: read again (a final decision ends the loop).
      if (err instanceof ConflictError && attempt < 5 && input.action === 'approve' && approval.requiredApprovals > 1) continue;
      throw err;
    }
  }
}

async function finalize(approval: ApprovalRecord, input: DecisionInput, channel: DecisionChannel, auth: DecisionAuth, decidedAt: string, vote: Vote): Promise<ApprovalRecord> {
  const finalText = input.action === 'edit' ? input.text : input.action === 'approve' ? approval.draft.text : undefined;
  const edit = input.action === 'edit' ? summarizeEdit(approval.draft.text, input.text!) : undefined;
  const decision: Decision = {
    action: input.action,
    reviewer: input.reviewer,
    channel,
    decidedAt,
    ...(input.text && input.action === 'edit' ? { text: input.text } : {}),
    ...(input.reasonCode ? { reasonCode: input.reasonCode } : {}),
    ...(input.reason ? { reason: input.reason } : {}),
    ...(edit ?? {}),
  };
  const quorum = input.action === 'approve' ? { vote, priorVotes: approval.voterIds.length } : undefined;
  const decided = await recordDecision(approval.approvalId, decision, finalText, approval.draftHash, quorum);
  const resumed = await resumeAfterDecision(decided);
  if (resumed === 'late') {
    await expireLateDecision(approval.approvalId, decidedAt, quorum?.priorVotes);
    throw new ConflictError(`Approval ${approval.approvalId} timed out before this decision arrived`);
  }
  await recordAudit({
    subject: approval.runId,
    runId: approval.runId,
    type: 'approval.decided',
    actor: input.reviewer,
    // `resumed`: sent (the run took it) or deferred (a retried state or the reconciler will send it).
    details: { approvalId: approval.approvalId, action: input.action, channel, authenticatedBy: auth.method, reasonCode: input.reasonCode, reason: input.reason, editDistance: edit?.editDistance, resumed },
  });
  publishDecision({ workflowId: approval.workflowId, action: input.action, reasonCode: input.reasonCode, routeKey: approval.routeKey, timeToDecisionMs: timeToDecisionMs(approval.requestedAt, decidedAt), editDistance: edit?.editDistance });
  // The route path's autonomy figures learn from this human decision (never throws).
  await recordHumanDecision(approval, decision);
  // Whatever channel decided, the Slack messages of the request now say so (never throws).
  await updateSlackMessages(decided);
  return decided;
}
