/** GET /runs/{runId} (everything a run did) and GET /runs?workflowId=&status=. */
import { Hono } from 'hono';
import * as z from 'zod';
import { getApproval } from '../../records/approvals.js';
import { auditTrail } from '../../records/audit.js';
import { getRunWithSteps, listRuns } from '../../records/runs.js';
import { NotFoundError } from '../../shared/errors.js';
import { idSchema } from '../../shared/ids.js';
import { pathId } from '../path-params.js';
import { runUsage } from '../../usage/totals.js';
import { parseOrThrow } from '../validate.js';
import { publicApproval } from './approval-view.js';

const runStatuses = ['running', 'start_failed', 'awaiting_approval', 'delivered', 'completed', 'rejected', 'approval_timed_out', 'delivery_failed', 'needs_human', 'failed'] as const;

const listQuery = z
  .object({
    workflowId: idSchema('workflowId', 'a workflow id').optional(),
    status: z.enum(runStatuses).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().optional(),
  })
  .strict();

export const runs = new Hono()
  .get('/', async (c) => {
    const query = parseOrThrow(listQuery, c.req.query(), 'query');
    return c.json(await listRuns(query));
  })
  .get('/:runId', async (c) => {
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
  });
