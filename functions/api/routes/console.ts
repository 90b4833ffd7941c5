/** The web console's pages (functions/api/console): the dashboard, the runs explorer and a run's timeline, for signed-in browsers. */
import { verifyAuditTrail } from '../../audit/verify-chain.js';
import { dashboardFigures } from '../../dashboards/figures.js';
import { auditEventsPage } from '../../records/audit-pages.js';
import { listRuns } from '../../records/runs.js';
import { runDetail } from '../../runs/run-detail.js';
import { NotFoundError } from '../../shared/errors.js';
import { workflowRegistry } from '../../shared/workflow-registry.js';
import { callerIn } from '../authorize.js';
import { auditPage } from '../console/audit-page.js';
import { dashboardPage } from '../console/dashboard-page.js';
import { runPage } from '../console/run-page.js';
import { runsPage } from '../console/runs-page.js';
import { pathId } from '../path-params.js';
import type { RouteHandlers } from '../route-handlers.js';
import { schemas } from '../route-table.js';
import { parseOrThrow } from '../validate.js';

const PAGE_SIZE = 50;
const DAY_MS = 86_400_000;

/** A day's window as the records hold times: from its first to after its last millisecond. */
const dayStart = (day: string) => `${day}T00:00:00.000Z`;
const dayAfter = (day: string) => new Date(Date.parse(dayStart(day)) + DAY_MS).toISOString();

export const consoleRoutes: RouteHandlers<'consoleDashboard' | 'consoleRuns' | 'consoleRun' | 'consoleAudit'> = {
  consoleAudit: async (c) => {
    const { from, to, verify, cursor } = parseOrThrow(schemas.consoleAudit, c.req.query(), 'query');
    const window = { from: from ? dayStart(from) : undefined, to: to ? new Date(Date.parse(dayAfter(to)) - 1).toISOString() : undefined };
    const [page, verification] = await Promise.all([auditEventsPage({ ...window, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) }), verify ? verifyAuditTrail(window) : undefined]);
    const newestFirst = [...page.events].sort((a, b) => b.time.localeCompare(a.time)); // a scan page is in key order
    return c.html(auditPage(callerIn(c), { from, to }, newestFirst, page.nextCursor, verification));
  },
  consoleDashboard: async (c) => {
    const { workflowId, days } = parseOrThrow(schemas.consoleDashboard, c.req.query(), 'query');
    const workflows = [...workflowRegistry().values()].map((w) => w.definition).sort((a, b) => a.id.localeCompare(b.id));
    if (workflowId && !workflows.some((w) => w.id === workflowId)) throw new NotFoundError(`No workflow ${workflowId} is deployed on this stage`);
    const figures = await dashboardFigures(workflows, { workflowId, days });
    return c.html(dashboardPage(callerIn(c), figures, workflows.map((w) => w.id), days));
  },
  consoleRuns: async (c) => {
    const { cursor, ...filter } = parseOrThrow(schemas.consoleRuns, c.req.query(), 'query');
    // Whole days: from the start of `from` to the end of `to`.
    const from = filter.from ? dayStart(filter.from) : undefined;
    const to = filter.to ? dayAfter(filter.to) : undefined;
    const page = await listRuns({ workflowId: filter.workflowId, status: filter.status, releaseId: filter.releaseId, from, to, limit: PAGE_SIZE, cursor });
    const newestFirst = [...page.runs].sort((a, b) => b.createdAt.localeCompare(a.createdAt)); // a scan page is in key order
    return c.html(runsPage(callerIn(c), filter, newestFirst, page.nextCursor, [...workflowRegistry().keys()].sort()));
  },
  consoleRun: async (c) => c.html(runPage(callerIn(c), await runDetail(pathId(c, 'runId', 'runId', 'run')))),
};
