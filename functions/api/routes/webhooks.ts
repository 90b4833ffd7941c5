/** POST /webhooks/{workflowId}: authenticate the caller as the workflow's trigger declares, validate the body against its input, start one run. */
import * as z from 'zod';
import { checkInputReviewers } from '../../approvals/input-reviewer.js';
import { startRun } from '../../runs/start-run.js';
import { authenticateTrigger } from '../../triggers/authenticate-trigger.js';
import { NotFoundError } from '../../shared/errors.js';
import { workflowRegistry } from '../../shared/workflow-registry.js';
import { pathId } from '../path-params.js';
import { throttleWebhookSender } from '../throttle.js';
import type { RouteHandlers } from '../route-handlers.js';
import { jsonBody, parseOrThrow } from '../validate.js';

const idempotencyKeySchema = z.string().trim().min(1).max(255).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces').optional();

/**
 * The URL the sender called (HubSpot signs it): the request's, with the scheme a TLS-terminating
 * proxy in front says it was called with (API Gateway and tunnels set x-forwarded-proto).
 */
function calledUrl(url: string, forwardedProto: string | undefined): string {
  const proto = forwardedProto?.split(',')[0]?.trim();
  if (proto !== 'https' && proto !== 'http') return url;
  const parsed = new URL(url);
  parsed.protocol = `${proto}:`;
  return parsed.toString();
}

export const webhookRoutes: RouteHandlers<'startRun'> = {
  startRun: async (c) => {
    const workflowId = pathId(c, 'workflowId', 'workflowId', 'workflow');
    const workflow = workflowRegistry().get(workflowId);
    if (!workflow) throw new NotFoundError(`No workflow "${workflowId}"; deployed: ${[...workflowRegistry().keys()].join(', ')}`);
    // Who sent it, before anything is read into a run (unsigned, stale or replayed: 401).
    const sender = await authenticateTrigger(workflow.definition, { header: (name) => c.req.header(name), rawBody: await c.req.text(), method: c.req.method, url: calledUrl(c.req.url, c.req.header('x-forwarded-proto')) });
    // Its request limit, counted against the sender it proved (429: nothing claimed, no run).
    await throttleWebhookSender(c, sender.sender);
    const body = await jsonBody(c);
    const input = parseOrThrow(workflow.inputSchema, body, 'body') as Record<string, unknown>;
    checkInputReviewers(workflow.definition, input);
    const key = parseOrThrow(idempotencyKeySchema, c.req.header('idempotency-key'), 'Idempotency-Key');
    // Its webhook-id is taken once the call is known to be valid: a replay starts nothing (401).
    await sender.claimOnce();
    const { runId, duplicate } = await startRun(workflow, input, key);
    return c.json({ runId, status: 'accepted', duplicate, links: { run: `/runs/${runId}` } }, 202);
  },
};
