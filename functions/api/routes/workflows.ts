/** The catalog of deployed workflows (functions/workflows/catalog.ts). */
import type { Context } from 'hono';
import { liveRoutes, releaseVersions, rollBack } from '../../releases/live-alias.js';
import { NotFoundError } from '../../shared/errors.js';
import { workflowRegistry, type RegisteredWorkflow } from '../../shared/workflow-registry.js';
import { callerIn } from '../authorize.js';
import { describeWorkflow, workflowCatalog } from '../../workflows/catalog.js';
import { pathId } from '../path-params.js';
import type { RouteHandlers } from '../route-handlers.js';
import { schemas } from '../route-table.js';
import { jsonBody, parseOrThrow } from '../validate.js';

/** The deployed workflow the path names (404 listing the deployed ones otherwise). */
function workflowIn(c: Context): RegisteredWorkflow {
  const workflowId = pathId(c, 'workflowId', 'workflowId', 'workflow');
  const workflow = workflowRegistry().get(workflowId);
  if (!workflow) throw new NotFoundError(`No workflow "${workflowId}"; deployed: ${[...workflowRegistry().keys()].join(', ')}`);
  return workflow;
}

export const workflowRoutes: RouteHandlers<'listWorkflows' | 'getWorkflow' | 'getRollout' | 'rollback'> = {
  listWorkflows: (c) => c.json({ workflows: workflowCatalog() }),
  getWorkflow: (c) => c.json(describeWorkflow(workflowIn(c))),
  getRollout: async (c) => {
    const workflowId = workflowIn(c).definition.id;
    const versions = await releaseVersions(workflowId);
    return c.json({ workflowId, live: await liveRoutes(workflowId, versions), versions });
  },
  rollback: async (c) => {
    const workflowId = workflowIn(c).definition.id;
    const { to, reason } = parseOrThrow(schemas.rollback, await jsonBody(c), 'body');
    return c.json(await rollBack(workflowId, { to, reason, actor: callerIn(c).id }));
  },
};
