/**
 * Resumes the run waiting on a decided approval: the message (SendTaskSuccess with a reference to
 * the decision, or SendTaskFailure `ApprovalRejected`) is rebuilt from the stored approval alone, so
 * the request that recorded the decision, the reconciler and a retried approval state all send the
 * same thing.
 */
import { SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import type { ApprovalRecord } from '../records/approvals.js';
import { sfnClient } from '../shared/aws-clients.js';
import { ERROR_NAMES } from '../shared/errors.js';
import { approvalRef, resumeMessage } from './approval-outcome.js';

/** What Step Functions answers for a token whose wait is no longer open (completed, timed out, or its execution closed). */
const CLOSED_TASK_ERRORS = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

export function isClosedTaskError(err: unknown): boolean {
  return err instanceof Error && CLOSED_TASK_ERRORS.has(err.name);
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
      ? new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(approvalRef(message.output)) })
      : new SendTaskFailureCommand({ taskToken: token, error: ERROR_NAMES.approvalRejected, cause: JSON.stringify(message.cause) });
  try {
    await sfnClient().send(command as SendTaskSuccessCommand);
    return 'sent';
  } catch (err) {
    if (isClosedTaskError(err)) return 'closed';
    throw err;
  }
}
