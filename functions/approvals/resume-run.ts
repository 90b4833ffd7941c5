/**
 * Resumes the run waiting on a decided approval: the message (SendTaskSuccess with the decided text,
 * or SendTaskFailure `ApprovalRejected`) is rebuilt from the stored approval alone, so the request
 * that recorded the decision, the reconciler and a retried approval state all send the same thing.
 */
import { SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import type { ApprovalRecord } from '../records/approvals.js';
import { sfnClient } from '../shared/aws-clients.js';
import { ERROR_NAMES } from '../shared/errors.js';
import type { ApprovalOutcome } from '../shared/step-contract.js';
import { joinedDraft } from './approval-items.js';

export type ResumeMessage = { readonly kind: 'success'; readonly output: ApprovalOutcome } | { readonly kind: 'failure'; readonly cause: Record<string, unknown> };

/** What Step Functions answers for a token whose wait is no longer open (completed, timed out, or its execution closed). */
const CLOSED_TASK_ERRORS = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

export function isClosedTaskError(err: unknown): boolean {
  return err instanceof Error && CLOSED_TASK_ERRORS.has(err.name);
}

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

/**
 * Sends the decided approval's message on its task token (or `token`). Resolves `sent`, or
 * `closed` when the wait is no longer open; other errors (throttling, network) reject, and the
 * decision stays recorded for the reconciler.
 */
export async function sendResume(approval: ApprovalRecord, token = approval.taskToken): Promise<'sent' | 'closed'> {
  const message = resumeMessage(approval);
  if (!message) throw new Error(`Approval ${approval.approvalId} is ${approval.status}: there is no decision to resume its run with`);
  const command =
    message.kind === 'success'
      ? new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(message.output) })
      : new SendTaskFailureCommand({ taskToken: token, error: ERROR_NAMES.approvalRejected, cause: JSON.stringify(message.cause) });
  try {
    await sfnClient().send(command as SendTaskSuccessCommand);
    return 'sent';
  } catch (err) {
    if (isClosedTaskError(err)) return 'closed';
    throw err;
  }
}
