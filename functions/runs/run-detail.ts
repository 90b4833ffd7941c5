/**
 * Everything a run did, as one object: the run record, its step records in order, what its
 * classify steps found, its usage and cost, its approvals (as the API shows them: no task token),
 * and its audit trail. What GET /runs/{runId} answers and the console's run page shows.
 */
import { publicApproval, type ApprovalView } from '../approvals/approval-view.js';
import { getApproval } from '../records/approvals.js';
import { auditTrail, type AuditEvent } from '../records/audit.js';
import { getRunWithSteps, type RunRecord, type StepRecord } from '../records/runs.js';
import { NotFoundError } from '../shared/errors.js';
import { runUsage } from '../usage/totals.js';

export type RunDetail = RunRecord & {
  readonly steps: StepRecord[];
  readonly classification?: Record<string, unknown>;
  readonly usage: ReturnType<typeof runUsage>;
  readonly approvals: ApprovalView[];
  readonly audit: AuditEvent[];
};

export async function runDetail(runId: string): Promise<RunDetail> {
  const found = await getRunWithSteps(runId);
  if (!found) throw new NotFoundError(`No run ${runId}`);
  const [approvals, audit] = await Promise.all([Promise.all((found.run.approvalIds ?? []).map((id) => getApproval(id))), auditTrail(runId)]);
  const classified = found.steps.filter((s) => s.kind === 'classify' && s.status === 'succeeded');
  return {
    ...found.run,
    steps: found.steps,
    // What each classify step found (the full results, with evidence, are on its step record).
    ...(classified.length ? { classification: Object.fromEntries(classified.map((s) => [s.stepId, s.output])) } : {}),
    // Summed from the step records, which carry each generate step's tokens and cost.
    usage: runUsage(found.steps),
    approvals: approvals.filter((a) => a !== undefined).map((a) => publicApproval(a)),
    audit,
  };
}
