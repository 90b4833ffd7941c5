/**
 * The decision reconciler: every recorded decision reaches its run, exactly once. A decision is
 * written together with the intent to resume (records/approvals.ts `byResume`); the request then
 * sends it. If that send was lost (a crash, a Lambda timeout, throttling), this sweep sends it
 * again from the stored approval. "The task is no longer open" means the run already took it.
 *
 * Runs on a schedule on AWS (functions/scheduled/reconcile-decisions) and on every start of the
 * local runtime, for decisions older than a grace period (so it never races the request that is
 * still sending them).
 */
import { clearPendingResume, pendingResumesPage, type ApprovalRecord } from '../records/approvals.js';
import { recordAudit } from '../records/audit.js';
import { getRun, type RunRecord, type RunStatus } from '../records/runs.js';
import { logger } from '../shared/logger.js';
import { sendResume } from './resume-run.js';

/** Run statuses after which no approval of the run waits any more. */
const FINAL: ReadonlySet<RunStatus> = new Set(['delivered', 'completed', 'rejected', 'approval_timed_out', 'delivery_failed', 'needs_human', 'failed', 'start_failed']);

export interface ReconcileReport {
  /** Decisions looked at. */
  readonly checked: number;
  /** Sent again, and the run took them. */
  readonly resent: number;
  /** The run had already taken them (the first send got through). */
  readonly alreadyResumed: number;
  /** The wait closed before the decision reached it (it timed out): the request is marked expired. */
  readonly notApplied: number;
  /** Still failing to send (left for the next sweep). */
  readonly failed: number;
}

/** Whether the run has moved past `approval` without it: a later level of the same step, or a final timeout. */
function timedOutWithout(run: RunRecord, approval: ApprovalRecord): boolean {
  const ids = run.approvalIds ?? [];
  const sameStep = `${approval.runId}.${approval.stepId}.`;
  if (ids.some((id) => id.startsWith(sameStep) && Number(id.slice(sameStep.length)) > approval.level)) return true;
  return run.status === 'approval_timed_out' && ids.at(-1) === approval.approvalId;
}

async function reconcileOne(approval: ApprovalRecord): Promise<keyof Omit<ReconcileReport, 'checked'>> {
  const run = await getRun(approval.runId);
  const mayWait = run !== undefined && !FINAL.has(run.status) && !timedOutWithout(run, approval);
  const outcome = mayWait ? await sendResume(approval) : 'closed';
  const at = approval.resumeRequestedAt!;
  if (outcome === 'closed' && run && timedOutWithout(run, approval)) {
    const reason = `decided at ${at}, but the approval timed out before the decision reached the run`;
    if (await clearPendingResume(approval.approvalId, at, reason)) {
      await recordAudit({ subject: approval.runId, runId: approval.runId, type: 'approval.decision_not_applied', actor: 'handrail', details: { approvalId: approval.approvalId, reason } });
    }
    return 'notApplied';
  }
  await clearPendingResume(approval.approvalId, at);
  if (outcome === 'sent') {
    await recordAudit({ subject: approval.runId, runId: approval.runId, type: 'approval.resumed_by_reconciler', actor: 'handrail', details: { approvalId: approval.approvalId, decidedAt: at } });
    return 'resent';
  }
  return 'alreadyResumed';
}

/** Sends every decision recorded before `decidedBefore` that its run may not have taken: one pass over the index. */
export async function reconcileDecisions(decidedBefore: Date, batch = 100): Promise<ReconcileReport> {
  const report = { checked: 0, resent: 0, alreadyResumed: 0, notApplied: 0, failed: 0 };
  let start: Record<string, unknown> | undefined;
  do {
    const page = await pendingResumesPage(decidedBefore.toISOString(), batch, start);
    for (const approval of page.approvals) {
      report.checked++;
      try {
        report[await reconcileOne(approval)]++;
      } catch (err) {
        report.failed++;
        logger.warn('could not resume a decided approval; the next sweep tries again', { approvalId: approval.approvalId, error: (err as Error).name });
      }
    }
    start = page.next;
  } while (start);
  return report;
}
