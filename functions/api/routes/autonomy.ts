/** GET /autonomy[?workflowId=]: graduated autonomy per route path (functions/autonomy/report.ts). */
import { Hono } from 'hono';
import * as z from 'zod';
import { autonomyReport } from '../../autonomy/report.js';
import { NotFoundError } from '../../shared/errors.js';
import { idSchema } from '../../shared/ids.js';
import { workflowRegistry } from '../../shared/workflow-registry.js';
import { parseOrThrow } from '../validate.js';

const query = z.object({ workflowId: idSchema('workflowId', 'a workflow id').optional() }).strict();

export const autonomy = new Hono().get('/', async (c) => {
  const { workflowId } = parseOrThrow(query, c.req.query(), 'query');
  const registry = workflowRegistry();
  if (workflowId && !registry.has(workflowId)) throw new NotFoundError(`No workflow "${workflowId}"; deployed: ${[...registry.keys()].join(', ')}`);
  const workflows = [...registry.values()].map((w) => w.definition).filter((w) => !workflowId || w.id === workflowId);
  return c.json({ paths: await autonomyReport(workflows) });
});
