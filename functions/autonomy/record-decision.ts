/**
 * Feeds a final human decision into its route path's figures (called by decide.ts once the run
 * has resumed), and records in the audit trail when the decision moved the path's rule across
 * the bar: `autonomy.engaged` (auto-approval starts) or `autonomy.suspended` (review resumes).
 * Auto-approvals never come through here, so they never count as human decisions.
 */
import { timeToDecisionMs, type ApprovalRecord, type Decision } from '../records/approvals.js';
import { recordAudit } from '../records/audit.js';
import { logger } from '../shared/logger.js';
import { computeFigures, ruleMet } from './figures.js';
import { appendDecision, markEngaged } from './stats-store.js';
import { DEFAULT_WINDOW, type DecisionEntry } from './types.js';

export async function recordHumanDecision(approval: ApprovalRecord, decision: Decision): Promise<void> {
  const { routeKey, autonomy } = approval;
  if (!routeKey) return;
  const rule = autonomy?.rule;
  const window = rule?.window ?? DEFAULT_WINDOW;
  const entry: DecisionEntry = {
    approvalId: approval.approvalId,
    action: decision.action,
    ...(decision.reasonCode ? { reasonCode: decision.reasonCode } : {}),
    ms: timeToDecisionMs(approval.requestedAt, decision.decidedAt),
    at: decision.decidedAt,
    ...(autonomy?.status === 'spot_check' ? { spotCheck: true } : {}),
  };
  try {
    const stats = await appendDecision(routeKey, approval.workflowId, entry, window);
    if (!rule) return;
    const figures = computeFigures(stats.recent, window);
    const met = ruleMet(rule, figures);
    if (met === stats.engaged || !(await markEngaged(routeKey, met, decision.decidedAt))) return;
    await recordAudit({
      subject: `autonomy#${routeKey}`,
      runId: approval.runId,
      type: met ? 'autonomy.engaged' : 'autonomy.suspended',
      actor: decision.reviewer,
      details: { routeKey, approvalId: approval.approvalId, rule, figures },
    });
  } catch (err) {
    // The run has already resumed and the decision stands; the figures miss one decision.
    logger.error('autonomy figures not updated', { routeKey, approvalId: approval.approvalId, error: err as Error });
  }
}
