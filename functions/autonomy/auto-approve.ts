/**
 * Completes a request the rule approved (it is already stored as `auto_approved`): links it to
 * the run, records the audit event with the figures that justified it, counts it for the path,
 * and resumes the waiting state with the draft, exactly as a reviewer's approval would.
 */
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { approvalRef } from '../approvals/approval-outcome.js';
import { isClosedTaskError } from '../approvals/resume-run.js';
import { recordAudit } from '../records/audit.js';
import { updateRun } from '../records/runs.js';
import { sfnClient } from '../shared/aws-clients.js';
import { logger } from '../shared/logger.js';
import type { ApprovalOutcome } from '../shared/step-contract.js';
import { countAutoApproval } from './stats-store.js';
import { AUTONOMY_REVIEWER, type ApprovalAutonomy } from './types.js';


export interface AutoApproval {
  readonly approvalId: string;
  readonly runId: string;
  readonly workflowId: string;
  readonly stepId: string;
  readonly taskToken: string;
  readonly text: string;
  readonly decidedAt: string;
  readonly autonomy: ApprovalAutonomy;
}

export async function completeAutoApproval(a: AutoApproval): Promise<{ approvalId: string; autoApproved: true }> {
  const { approvalId, runId, autonomy } = a;
  // Link before resuming: the run must never be delivered without its approval on record, and
  // its status is left alone (`awaiting_approval` now would race the delivery that follows).
  await updateRun(runId, {}, { appendApprovalId: approvalId });
  await recordAudit({
    subject: runId,
    runId,
    type: 'approval.auto_approved',
    actor: AUTONOMY_REVIEWER,
    details: { approvalId, routeKey: autonomy.routeKey, rule: autonomy.rule, figures: autonomy.figures, spotCheckDraw: autonomy.spotCheckDraw },
  });
  const outcome: ApprovalOutcome = {
    approvalId,
    stepId: a.stepId,
    action: 'approve',
    reviewer: AUTONOMY_REVIEWER,
    text: a.text,
    originalText: a.text,
    decidedAt: a.decidedAt,
  };
  try {
    await sfnClient().send(new SendTaskSuccessCommand({ taskToken: a.taskToken, output: JSON.stringify(approvalRef(outcome)) }));
  } catch (err) {
    // A retry whose first attempt already resumed the run (or a task that timed out, which the state machine handles).
    if (!isClosedTaskError(err)) throw err;
  }
  // The count is for the report only; losing it must not fail a run that has already resumed.
  await countAutoApproval(autonomy.routeKey, a.workflowId).catch((err: unknown) => logger.warn('auto-approval not counted', { routeKey: autonomy.routeKey, error: err as Error }));
  logger.info('approval auto-approved', { approvalId, routeKey: autonomy.routeKey });
  return { approvalId, autoApproved: true };
}
