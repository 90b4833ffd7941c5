/** The web console's pages (functions/api/console): the runs explorer and a run's timeline, for signed-in browsers. */
import { listRuns } from '../../records/runs.js';
import { runDetail } from '../../runs/run-detail.js';
import { workflowRegistry } from '../../shared/workflow-registry.js';
import { callerIn } from '../authorize.js';
import { runPage } from '../console/run-page.js';
import { runsPage } from '../console/runs-page.js';
import { pathId } from '../path-params.js';
import type { RouteHandlers } from '../route-handlers.js';
import { schemas } from '../route-table.js';
import { parseOrThrow } from '../validate.js';

const PAGE_SIZE = 50;
const DAY_MS = 86_400_000;

export const consoleRoutes: RouteHandlers<'consoleRuns' | 'consoleRun'> = {
  consoleRuns: async (c) => {
    const { cursor, ...filter } = parseOrThrow(schemas.consoleRuns, c.req.query(), 'query');
    // Whole days: from the start of `from` to the end of `to`.
    const from = filter.from ? `${filter.from}T00:00:00.000Z` : undefined;
    const to = filter.to ? new Date(Date.parse(`${filter.to}T00:00:00.000Z`) + DAY_MS).toISOString() : undefined;
    const page = await listRuns({ workflowId: filter.workflowId, status: filter.status, releaseId: filter.releaseId, from, to, limit: PAGE_SIZE, cursor });
    const newestFirst = [...page.runs].sort((a, b) => b.createdAt.localeCompare(a.createdAt)); // a scan page is in key order
    return c.html(runsPage(callerIn(c), filter, newestFirst, page.nextCursor, [...workflowRegistry().keys()].sort()));
  },
  consoleRun: async (c) => c.html(runPage(callerIn(c), await runDetail(pathId(c, 'runId', 'runId', 'run')))),
};
