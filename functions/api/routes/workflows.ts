/** The catalog of deployed workflows (functions/workflows/catalog.ts). */
import type { Context } from 'hono';
import { getReplay } from '../../records/replays.js';
import { liveRoutes, releaseVersions, rollBack } from '../../releases/live-alias.js';
import { promote } from '../../releases/promote.js';
import { replayReport } from '../../replays/replay-report.js';
import { startReplay } from '../../replays/start-replay.js';
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

export const workflowRoutes: RouteHandlers<'listWorkflows' | 'getWorkflow' | 'getRollout' | 'rollback' | 'promote' | 'startReplay' | 'getReplay'> = {
  listWorkflows: (c) => c.json({ workflows: workflowCatalog() }),
  getWorkflow: (c) => c.json(describeWorkflow(workflowIn(c))),
  getRollout: async (c) => {
    const workflowId = workflowIn(c).definition.id;
    const versions = await releaseVersions(workflowId);
    return c.json({ workflowId, live: await liveRoutes(workflowId, versions), versions });
  },
  startReplay: async (c) => {
    const workflow = workflowIn(c);
    const request = parseOrThrow(schemas.startReplay, await jsonBody(c), 'body');
    const replay = await startReplay(workflow, { ...request, from: new Date(request.from).toISOString(), ...(request.to ? { to: new Date(request.to).toISOString() } : {}), requestedBy: callerIn(c).id });
    return c.json({ replayId: replay.replayId, releaseId: replay.releaseId, runs: replay.pairs }, 202);
  },
  getReplay: async (c) => {
    const replayId = pathId(c, 'replayId', 'replayId', 'replay');
    const replay = await getReplay(replayId);
    if (!replay) throw new NotFoundError(`No replay ${replayId}`);
    return c.json(await replayReport(replay));
  },
  rollback: async (c) => {
    const workflowId = workflowIn(c).definition.id;
    const { to, reason } = parseOrThrow(schemas.rollback, await jsonBody(c), 'body');
    return c.json(await rollBack(workflowId, { to, reason, actor: callerIn(c).id }));
  },
  promote: async (c) => {
    const workflowId = workflowIn(c).definition.id;
    const request = parseOrThrow(schemas.promote, await jsonBody(c), 'body');
    return c.json(await promote(workflowId, { ...request, actor: callerIn(c).id }));
  },
};
