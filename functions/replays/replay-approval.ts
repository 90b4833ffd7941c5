/**
 * An approval step of a replay run: nobody is asked or notified. The request is stored decided by
 * Handrail (status `auto_approved`, channel `replay`, the draft as the final text) so the steps
 * after it read the draft as approved, and the run resumes at once, as an auto-approval does.
 */
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { approvalRef } from '../approvals/approval-outcome.js';
import { isClosedTaskError } from '../approvals/resume-run.js';
import { updateRun } from '../records/runs.js';
import { sfnClient } from '../shared/aws-clients.js';
import type { ApprovalOutcome } from '../shared/step-contract.js';

export const REPLAY_REVIEWER = 'handrail-replay';

/** The fields a replay's request is stored decided with. */
export function replayDecisionFields(draftText: string, decidedAt: string) {
  return { status: 'auto_approved' as const, decision: { action: 'approve' as const, reviewer: REPLAY_REVIEWER, channel: 'replay' as const, decidedAt }, finalText: draftText };
}

export async function resumeReplay(a: { approvalId: string; runId: string; stepId: string; taskToken: string; text: string; decidedAt: string }): Promise<{ approvalId: string; replay: true }> {
  await updateRun(a.runId, {}, { appendApprovalId: a.approvalId });
  const outcome: ApprovalOutcome = { approvalId: a.approvalId, stepId: a.stepId, action: 'approve', reviewer: REPLAY_REVIEWER, text: a.text, originalText: a.text, decidedAt: a.decidedAt };
  try {
    await sfnClient().send(new SendTaskSuccessCommand({ taskToken: a.taskToken, output: JSON.stringify(approvalRef(outcome)) }));
  } catch (err) {
    if (!isClosedTaskError(err)) throw err;
  }
  return { approvalId: a.approvalId, replay: true };
}
