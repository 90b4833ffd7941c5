/**
 * The Lambda entry of an app of the HTTP API (handler.ts, console-handler.ts, knowledge-handler.ts):
 * `hono/aws-lambda`'s handler under middy, with the tracer's subsegment for the invocation
 * (shared/tracer.ts), annotated with the route and the run or workflow its path names, as the step
 * handlers' are (shared/lambda-handler.ts). The route is API Gateway's template
 * (`GET /review/{token}`), never the path: a link's token is a credential.
 */
import middy from '@middy/core';
import type { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
import { annotate, tracingMiddleware } from '../shared/tracer.js';

/** The route an API Gateway (payload 2.0) event matched, and the run or workflow its path names. */
export function routeAnnotations(event: unknown): Record<string, string> {
  const e = event as { routeKey?: unknown; pathParameters?: { runId?: unknown; workflowId?: unknown } } | undefined;
  const keys = { route: e?.routeKey, runId: e?.pathParameters?.runId, workflowId: e?.pathParameters?.workflowId };
  return Object.fromEntries(Object.entries(keys).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/**
 * @example export const handler = httpHandler(buildApp(consoleRoutes));
 */
export function httpHandler(app: Hono) {
  // No early timeout: a request ends as it did under hono's handler alone (Lambda's own timeout),
  // and no timer is set per request.
  return middy(handle(app), { timeoutEarlyInMillis: 0 })
    .use(tracingMiddleware())
    .use({ before: (request) => annotate(routeAnnotations(request.event)) });
}
