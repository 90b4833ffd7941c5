/**
 * The Handrail HTTP API: one Hono app, served by API Gateway + Lambda on AWS (handler.ts) and by
 * Node in the local runtime. Its routes are exactly the route table's (route-table.ts), each behind
 * the access it declares (authorize.ts) and its caller's request limit (throttle.ts).
 *
 * @example
 * const res = await createApp().request('/health');
 */
import { Hono, type Handler } from 'hono';
import { shownId } from '../shared/ids.js';
import { accountStanding } from '../records/disabled-users.js';
import { authorize, type AccountCheck } from './authorize.js';
import { bodyLimits } from './body-limits.js';
import { errorResponse } from './errors.js';
import { lambdaContextLogging } from './lambda-context.js';
import { openApiDocument } from './openapi.js';
import type { RouteHandlers } from './route-handlers.js';
import { honoPath, ROUTES, type RouteId, type RouteSpec } from './route-table.js';
import { securityHeaders } from './security-headers.js';
import { throttled } from './throttle.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { approvalRoutes } from './routes/approvals.js';
import { autonomyRoutes } from './routes/autonomy.js';
import { inboxRoutes } from './routes/inbox.js';
import { knowledgeRoutes } from './routes/knowledge.js';
import { personalTokenRoutes } from './routes/personal-tokens.js';
import { auditRoutes } from './routes/audit.js';
import { consoleRoutes } from './routes/console.js';
import { erasureRoutes } from './routes/erasures.js';
import { releaseRoutes } from './routes/releases.js';
import { reviewRoutes } from './routes/review.js';
import { runRoutes } from './routes/runs.js';
import { signInRoutes } from './routes/sign-in.js';
import { slackRoutes } from './routes/slack.js';
import { usageRoutes } from './routes/usage.js';
import { userRoutes } from './routes/users.js';
import { webhookRoutes } from './routes/webhooks.js';
import { workflowRoutes } from './routes/workflows.js';

const handlers: RouteHandlers = {
  health: (c) => c.json({ ok: true }),
  openapi: (c) => c.json(openApiDocument(new URL(c.req.url).origin)),
  ...webhookRoutes,
  ...runRoutes,
  ...approvalRoutes,
  ...reviewRoutes,
  ...inboxRoutes,
  ...slackRoutes,
  ...knowledgeRoutes,
  ...usageRoutes,
  ...autonomyRoutes,
  ...apiKeyRoutes,
  ...personalTokenRoutes,
  ...userRoutes,
  ...auditRoutes,
  ...erasureRoutes,
  ...consoleRoutes,
  ...releaseRoutes,
  ...workflowRoutes,
  ...signInRoutes,
};

export interface AppOptions {
  /** Whether a caller's account and personal token stand. @default the store's record (records/disabled-users.ts) */
  readonly accountStanding?: AccountCheck;
}

export function createApp({ accountStanding: standing = accountStanding }: AppOptions = {}): Hono {
  const app = new Hono();
  // Every route, including those mounted later (the local runtime's /sink and /outbox).
  app.use('*', securityHeaders(), lambdaContextLogging(), bodyLimits());
  for (const [id, route] of Object.entries(ROUTES) as [RouteId, RouteSpec][]) {
    app.on(route.method, honoPath(route.path), authorize(route, standing), throttled(route), handlers[id] as Handler);
  }
  app.notFound((c) => c.json({ error: { code: 'NotFound', message: `No route ${c.req.method.slice(0, 16)} ${shownId(c.req.path)}` } }, 404));
  app.onError(errorResponse);
  return app;
}
