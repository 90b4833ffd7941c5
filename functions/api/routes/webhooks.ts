/** POST /webhooks/{workflowId}: validate the body against the workflow's input, start one run. */
import * as z from 'zod';
import { startRun } from '../../runs/start-run.js';
import { NotFoundError } from '../../shared/errors.js';
import { workflowRegistry } from '../../shared/workflow-registry.js';
import { pathId } from '../path-params.js';
import type { RouteHandlers } from '../route-handlers.js';
import { jsonBody, parseOrThrow } from '../validate.js';

const idempotencyKeySchema = z.string().trim().min(1).max(255).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces').optional();

export const webhookRoutes: RouteHandlers<'startRun'> = {
  startRun: async (c) => {
  const workflowId = pathId(c, 'workflowId', 'workflowId', 'workflow');
  const workflow = workflowRegistry().get(workflowId);
  if (!workflow) throw new NotFoundError(`No workflow "${workflowId}"; deployed: ${[...workflowRegistry().keys()].join(', ')}`);
  const body = await jsonBody(c);
  const input = parseOrThrow(workflow.inputSchema, body, 'body') as Record<string, unknown>;
  const key = parseOrThrow(idempotencyKeySchema, c.req.header('idempotency-key'), 'Idempotency-Key');
  const { runId, duplicate } = await startRun(workflow, input, key);
  return c.json({ runId, status: 'accepted', duplicate, links: { run: `/runs/${runId}` } }, 202);
},
};
