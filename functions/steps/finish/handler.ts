/** Lambda: records how a run ended (rejected, timed out, failed, delivery failed, completed), and counts every ended run, delivered ones too, for its release. */
import * as z from 'zod';
import { approvalIdFor, expireAtFinalTimeout } from '../../records/approvals.js';
import { recordAudit } from '../../records/audit.js';
import { updateRun } from '../../records/runs.js';
import { ConflictError } from '../../shared/errors.js';
import { stepHandler } from '../../shared/lambda-handler.js';
import { stateSchema } from '../event-schema.js';
import { AUTONOMY_REVIEWER } from '../../autonomy/types.js';
import { publishRunEnded } from '../../shared/metrics.js';
import type { ApprovalRef } from '../../shared/step-contract.js';
import { countsOf, type RunOutcome } from '../../../state-machines/rollout.js';

const errorSchema = z.object({ Error: z.string(), Cause: z.string().optional() }).partial();
const eventSchema = z.object({
  finish: z.object({
    status: z.enum(['completed', 'delivered', 'rejected', 'approval_timed_out', 'delivery_failed', 'needs_human', 'failed']).optional(),
    expireApprovalId: z.object({ stepId: z.string(), level: z.number().int() }).optional(),
  }),
  state: stateSchema,
});

/** A person's decision on the run's draft, as its release's counts see it (auto-approvals are none). */
function decisionOf(status: string, approval: ApprovalRef | undefined): RunOutcome['decision'] {
  if (status === 'rejected') return 'rejected';
  if (!approval || approval.reviewer === AUTONOMY_REVIEWER) return undefined;
  return approval.action === 'edit' ? 'edited' : 'approved';
}

export const handler = stepHandler(eventSchema, async ({ finish, state }) => {
  const { runId } = state.run;
  const raw = state as unknown as { error?: unknown; rejection?: unknown; timeout?: unknown };
  const failure = errorSchema.safeParse(raw.error ?? raw.rejection ?? raw.timeout);
  if (finish.expireApprovalId) {
    const approvalId = approvalIdFor(runId, finish.expireApprovalId.stepId, finish.expireApprovalId.level);
    const was = await expireAtFinalTimeout(approvalId, 'no decision reached the run before the deadline');
    if (was === 'pending') await recordAudit({ subject: runId, runId, type: 'approval.expired', actor: 'handrail', details: { approvalId } });
    // A decision was recorded, but its wait timed out before it arrived: say so, never "applied".
    else if (was) await recordAudit({ subject: runId, runId, type: 'approval.decision_not_applied', actor: 'handrail', details: { approvalId, recorded: was } });
  }
  if (!finish.status) return { continued: true };
  const error = ['failed', 'delivery_failed', 'needs_human'].includes(finish.status) ? (failure.success ? { error: failure.data.Error ?? 'Unknown', cause: failure.data.Cause } : undefined) : undefined;
  // The audit event first: once the status says needs_human, its reason is already on record.
  if (finish.status === 'needs_human') {
    await recordAudit({ subject: runId, runId, type: 'run.needs_human', actor: 'handrail', details: { error: error?.error, cause: error?.cause } });
  }
  // A delivered run's record already says so (the deliver step wrote it): here it is only counted.
  if (finish.status !== 'delivered') {
    try {
      await updateRun(runId, { status: finish.status, error, releaseId: state.run.releaseId }, finish.status === 'completed' ? { onlyIfStatusIn: ['running', 'awaiting_approval'] } : {});
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  // Replays never count towards a release's rollback rule.
  if (!state.run.replay) publishRunEnded(state.run.workflowId, state.run.releaseId, countsOf({ status: finish.status, decision: decisionOf(finish.status, state.approval) }), finish.status === 'delivery_failed');
  return { status: finish.status };
});
