/** GET /runs/{runId} (everything a run did) and GET /runs?workflowId=&status=. */
import { getApproval } from '../../records/approvals.js';
import { auditTrail } from '../../records/audit.js';
import { getRunWithSteps, listRuns } from '../../records/runs.js';
import { NotFoundError } from '../../shared/errors.js';
import { pathId } from '../path-params.js';
import type { RouteHandlers } from '../route-handlers.js';
import { schemas } from '../route-table.js';
import { runUsage } from '../../usage/totals.js';
import { parseOrThrow } from '../validate.js';
import { publicApproval } from './approval-view.js';

export const runRoutes: RouteHandlers<'listRuns' | 'getRun'> = {
  listRuns: async (c) => {
    const query = parseOrThrow(schemas.listRuns, c.req.query(), 'query');
    return c.json(await listRuns(query));
  },
  getRun: async (c) => {
    const runId = pathId(c, 'runId', 'runId', 'run');
    const found = await getRunWithSteps(runId);
    if (!found) throw new NotFoundError(`No run ${runId}`);
    const approvals = await Promise.all((found.run.approvalIds ?? []).map((id) => getApproval(id)));
    const classified = found.steps.filter((s) => s.kind === 'classify' && s.status === 'succeeded');
    return c.json({
      ...found.run,
      steps: found.steps,
      // What each classify step found (the full results, with evidence, are on its step record).
      ...(classified.length ? { classification: Object.fromEntries(classified.map((s) => [s.stepId, s.output])) } : {}),
      // Summed from the step records, which carry each generate step's tokens and cost.
      usage: runUsage(found.steps),
      approvals: approvals.filter((a) => a !== undefined).map(publicApproval),
      audit: await auditTrail(runId),
    });
  },
};
