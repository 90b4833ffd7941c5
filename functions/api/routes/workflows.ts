/** The catalog of deployed workflows (functions/workflows/catalog.ts). */
import { NotFoundError } from '../../shared/errors.js';
import { workflowRegistry } from '../../shared/workflow-registry.js';
import { describeWorkflow, workflowCatalog } from '../../workflows/catalog.js';
import { pathId } from '../path-params.js';
import type { RouteHandlers } from '../route-handlers.js';

export const workflowRoutes: RouteHandlers<'listWorkflows' | 'getWorkflow'> = {
  listWorkflows: (c) => c.json({ workflows: workflowCatalog() }),
  getWorkflow: (c) => {
    const workflowId = pathId(c, 'workflowId', 'workflowId', 'workflow');
    const workflow = workflowRegistry().get(workflowId);
    if (!workflow) throw new NotFoundError(`No workflow "${workflowId}"; deployed: ${[...workflowRegistry().keys()].join(', ')}`);
    return c.json(describeWorkflow(workflow));
  },
};
