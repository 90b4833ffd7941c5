/**
 * The server-side checks every decision passes, whole or per part, whatever the channel: the
 * reviewer may decide it, it is not their own request (unless allowed), it is still pending and
 * before its deadline, the decision quotes the draft hash it was made on, and edits and rejections
 * carry a reason code from the approval's taxonomy (a disabled reviewer never gets here: the API
 * refuses their token or link, Slack interactions their click); a sensitive step (`signIn: required`) is decided
 * only by someone the identity provider signed in. Refusals that matter to an auditor are recorded.
 */
import type { ApprovalRecord, DecisionAuth, DecisionChannel } from '../records/approvals.js';
import { recordAudit } from '../records/audit.js';
import { ConflictError, ForbiddenError, ValidationError } from '../shared/errors.js';
import type { DecisionInput } from './decide.js';

async function refuse(approval: ApprovalRecord, reviewer: string, channel: DecisionChannel, reason: string, error: Error): Promise<never> {
  await recordAudit({ subject: approval.runId, runId: approval.runId, type: 'approval.decision_refused', actor: reviewer, details: { approvalId: approval.approvalId, channel, reason } });
  throw error;
}

/** What is being decided: the whole approval, or one of its parts. */
export interface DecisionTarget {
  readonly label: string;
  readonly reviewers: string[];
  readonly draftHash: string;
  readonly status: string;
}

export async function checkDecision(approval: ApprovalRecord, target: DecisionTarget, input: DecisionInput, channel: DecisionChannel, auth: DecisionAuth): Promise<void> {
  if (approval.signIn === 'required' && !auth.signedIn) {
    await refuse(
      approval,
      input.reviewer,
      channel,
      'sign_in_required',
      new ForbiddenError(`${target.label} needs a sign-in: decide on your review page, signed in, or with an ID token (${auth.method.replace('_', ' ')} is not enough)`),
    );
  }
  if (!target.reviewers.includes(input.reviewer)) {
    await refuse(approval, input.reviewer, channel, 'not_a_reviewer', new ForbiddenError(`${input.reviewer} is not a reviewer of ${target.label}`));
  }
  if (input.action !== 'reject' && !approval.allowSelfApproval && approval.requester === input.reviewer) {
    await refuse(approval, input.reviewer, channel, 'self_approval', new ForbiddenError(`${input.reviewer} requested this run and may not approve it`));
  }
  if (target.status !== 'pending') throw new ConflictError(`${target.label} is already ${target.status}`);
  // Its wait times out at the deadline (a little before, on AWS): a decision after it cannot resume the run.
  if (Date.parse(approval.deadline) <= Date.now()) throw new ConflictError(`${target.label} timed out at ${approval.deadline}; it can no longer be decided`);
  if (input.draftHash !== target.draftHash) {
    await refuse(
      approval,
      input.reviewer,
      channel,
      'stale_draft',
      new ConflictError(`The draft of ${target.label} changed since you reviewed it (current draftHash ${target.draftHash}); review the new draft`),
    );
  }
  if (input.action !== 'approve' && !input.reasonCode) {
    throw new ValidationError(`reasonCode: ${input.action === 'edit' ? 'an edit' : 'a rejection'} needs a reason code (${approval.reasons.join(', ')})`, 'reasonCode');
  }
  if (input.reasonCode && !approval.reasons.includes(input.reasonCode)) {
    throw new ValidationError(`reasonCode: "${input.reasonCode}" is not one of ${approval.reasons.join(', ')}`, 'reasonCode');
  }
}
