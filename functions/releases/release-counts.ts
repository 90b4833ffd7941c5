/**
 * A release's counts from the records (what the finish function publishes as metrics on AWS, summed
 * here): its ended runs, each with the decision people made on its drafts (with several approval
 * steps, a rejection outweighs an edit, which outweighs an approval). The local runtime
 * judges a baking release's rollback rule on them (local/rollout-monitor.ts).
 */
import { decisionsOfRelease } from '../records/approvals.js';
import { endedRunsOfRelease } from '../records/runs.js';
import { addCounts, countsOf, emptyCounts, type ReleaseCounts } from '../../state-machines/rollout.js';

type Decision = 'approved' | 'edited' | 'rejected';
const WEIGHT: Record<Decision, number> = { approved: 0, edited: 1, rejected: 2 };

export async function releaseCounts(releaseId: string): Promise<ReleaseCounts> {
  const [runs, decisions] = await Promise.all([endedRunsOfRelease(releaseId), decisionsOfRelease(releaseId)]);
  const decisionOf = new Map<string, Decision>();
  for (const { runId, status } of decisions) {
    const seen = decisionOf.get(runId);
    if (!seen || WEIGHT[status] > WEIGHT[seen]) decisionOf.set(runId, status);
  }
  return runs.reduce((counts, run) => addCounts(counts, countsOf({ status: run.status, decision: decisionOf.get(run.runId) })), emptyCounts());
}
