/** GET /runs/{runId} (everything a run did), GET /runs?workflowId=&status=, and POST /runs/{runId}/redrive. */
import { listRuns } from '../../records/runs.js';
import { runDetail } from '../../runs/run-detail.js';
import { redriveRun } from '../../runs/redrive-run.js';
import { callerIn } from '../authorize.js';
import { pathId } from '../path-params.js';
import type { RouteHandlers } from '../route-handlers.js';
import { schemas } from '../route-table.js';
import { jsonBody, parseOrThrow } from '../validate.js';

export const runRoutes: RouteHandlers<'listRuns' | 'getRun' | 'redriveRun'> = {
  listRuns: async (c) => {
    const query = parseOrThrow(schemas.listRuns, c.req.query(), 'query');
    return c.json(await listRuns(query));
  },
  getRun: async (c) => c.json(await runDetail(pathId(c, 'runId', 'runId', 'run'))),
  redriveRun: async (c) => {
    const runId = pathId(c, 'runId', 'runId', 'run');
    const { reason } = parseOrThrow(schemas.redriveRun, await jsonBody(c), 'body');
    return c.json(await redriveRun(runId, callerIn(c).id, reason));
  },
};
