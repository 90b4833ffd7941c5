/**
 * Applies a reviewer's decision: exactly one decision wins (a conditional write from `pending`),
 * then the waiting state machine is resumed with SendTaskSuccess (approve / edit) or
 * SendTaskFailure (reject → `ApprovalRejected`, which the state machine catches).
 */
import { SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { z } from 'zod';
import { closeApproval, getApproval, recordDecision, reopenApproval, type ApprovalRecord, type Decision } from '../records/approvals.js';
import { recordAudit } from '../records/audit.js';
import { sfnClient } from '../shared/aws-clients.js';
import { ConflictError, ERROR_NAMES, ForbiddenError, NotFoundError } from '../shared/errors.js';
import type { ApprovalOutcome } from '../shared/step-contract.js';

export const decisionSchema = z
  .object({
    action: z.enum(['approve', 'edit', 'reject']),
    reviewer: z.string().trim().min(1, 'reviewer is required').max(320),
    text: z.string().trim().min(1, 'text must not be empty').max(20000).optional(),
    reason: z.string().trim().max(2000).optional(),
  })
  .strict()
  .refine((d) => d.action !== 'edit' || d.text, { message: 'an edit needs the edited text', path: ['text'] });

export type DecisionInput = z.infer<typeof decisionSchema>;

const CLOSED_TASK_ERRORS = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

export async function decide(approvalId: string, input: DecisionInput, channel: Decision['channel']): Promise<ApprovalRecord> {
  const approval = await getApproval(approvalId);
  if (!approval) throw new NotFoundError(`No approval ${approvalId}`);
  if (!approval.reviewers.includes(input.reviewer)) {
    await recordAudit({ subject: approval.runId, runId: approval.runId, type: 'approval.decision_refused', actor: input.reviewer, details: { approvalId, reason: 'not a reviewer', channel } });
    throw new ForbiddenError(`${input.reviewer} is not a reviewer of this approval (reviewers: ${approval.reviewers.join(', ')})`);
  }
  if (approval.status !== 'pending') throw new ConflictError(`Approval ${approvalId} is already ${approval.status}`);

  const decision: Decision = { ...input, channel, decidedAt: new Date().toISOString() };
  const finalText = input.action === 'edit' ? input.text : input.action === 'approve' ? approval.draft.text : undefined;
  const decided = await recordDecision(approvalId, decision, finalText);

  try {
    if (input.action === 'reject') {
      await sfnClient().send(
        new SendTaskFailureCommand({
          taskToken: approval.taskToken,
          error: ERROR_NAMES.approvalRejected,
          cause: JSON.stringify({ approvalId, reviewer: input.reviewer, reason: input.reason ?? '' }),
        }),
      );
    } else {
      const outcome: ApprovalOutcome = {
        approvalId,
        stepId: approval.stepId,
        action: input.action,
        reviewer: input.reviewer,
        text: finalText!,
        originalText: approval.draft.text,
        decidedAt: decision.decidedAt,
      };
      await sfnClient().send(new SendTaskSuccessCommand({ taskToken: approval.taskToken, output: JSON.stringify(outcome) }));
    }
  } catch (err) {
    const name = err instanceof Error ? err.name : '';
    if (CLOSED_TASK_ERRORS.has(name)) {
      await reopenApproval(approvalId, decision.decidedAt);
      await closeApproval(approvalId, 'expired', 'the decision arrived after the approval had timed out');
      throw new ConflictError(`Approval ${approvalId} timed out before this decision arrived`);
    }
    // Let the reviewer retry: the run did not resume, so the decision must not stand.
    await reopenApproval(approvalId, decision.decidedAt);
    throw err;
  }
  await recordAudit({
    subject: approval.runId,
    runId: approval.runId,
    type: 'approval.decided',
    actor: input.reviewer,
    details: { approvalId, action: input.action, channel, reason: input.reason, edited: input.action === 'edit' },
  });
  return decided;
}
