/**
 * The Handrail HTTP API: one Hono app per Lambda function on AWS (the API's handler.ts serves every
 * route but the console's and the knowledge routes; console-handler.ts the console's pages,
 * knowledge-handler.ts the knowledge routes: their own functions, so the API's bundle stays small
 * and its reads stay fast) and, in the local runtime, one app with every route (createApp). Its
 * routes are exactly the route table's (route-table.ts), each behind the access it declares
 * (authorize.ts) and its caller's request limit (throttle.ts).
 *
 * This module builds an app from a set of handlers; app.ts is the app with all of them.
 */
import { Hono, type Handler } from 'hono';
import { shownId } from '../shared/ids.js';
import { accountStanding } from '../records/disabled-users.js';
import { authorize, type AccountCheck } from './authorize.js';
import { bodyLimits } from './body-limits.js';
import { errorResponse } from './errors.js';
import { lambdaContextLogging } from './lambda-context.js';
import type { RouteHandlers } from './route-handlers.js';
import { honoPath, ROUTES, type RouteId, type RouteSpec } from './route-table.js';
import { securityHeaders } from './security-headers.js';
import { throttled, type SlackSecret } from './throttle.js';
export interface AppOptions {
  /** Whether a caller's account and personal token stand. @default the store's record (records/disabled-users.ts) */
  readonly accountStanding?: AccountCheck;
}

/** An app serving the routes `handlers` has (a Lambda function serves its share of the table). */
export function buildApp(handlers: Partial<RouteHandlers>, { accountStanding: standing = accountStanding, slackSecret }: AppOptions & { slackSecret?: SlackSecret } = {}): Hono {
  const app = new Hono();
  // Every route, including those mounted later (the local runtime's /sink and /outbox).
  app.use('*', securityHeaders(), lambdaContextLogging(), bodyLimits());
  for (const [id, route] of Object.entries(ROUTES) as [RouteId, RouteSpec][]) {
    const handler = handlers[id];
    if (handler) app.on(route.method, honoPath(route.path), authorize(route, standing), throttled(route, slackSecret), handler as Handler);
  }
  app.notFound((c) => c.json({ error: { code: 'NotFound', message: `No route ${c.req.method.slice(0, 16)} ${shownId(c.req.path)}` } }, 404));
  app.onError(errorResponse);
  return app;
}
