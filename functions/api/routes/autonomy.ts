/** GET /autonomy[?workflowId=]: graduated autonomy per route path (functions/autonomy/report.ts). */
import { autonomyReport } from '../../autonomy/report.js';
import { NotFoundError } from '../../shared/errors.js';
import { workflowRegistry } from '../../shared/workflow-registry.js';
import type { RouteHandlers } from '../route-handlers.js';
import { schemas } from '../route-table.js';
import { parseOrThrow } from '../validate.js';

export const autonomyRoutes: RouteHandlers<'autonomy'> = {
  autonomy: async (c) => {
    const { workflowId } = parseOrThrow(schemas.autonomy, c.req.query(), 'query');
    const registry = workflowRegistry();
    if (workflowId && !registry.has(workflowId)) throw new NotFoundError(`No workflow "${workflowId}"; deployed: ${[...registry.keys()].join(', ')}`);
    const workflows = [...registry.values()].map((w) => w.definition).filter((w) => !workflowId || w.id === workflowId);
    return c.json({ paths: await autonomyReport(workflows) });
  },
};
