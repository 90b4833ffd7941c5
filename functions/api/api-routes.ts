/**
 * What the API's function serves: every route of the table but the console's pages (routes/console.ts)
 * and the knowledge routes (routes/knowledge.ts), each served by their own function.
 */
import { channelSecrets } from '../notifications/channel-config.js';
import { openApiDocument } from './openapi.js';
import type { RouteHandlers } from './route-handlers.js';
import type { ConsoleRouteId, KnowledgeRouteId, RouteId } from './route-table.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { approvalRoutes } from './routes/approvals.js';
import { auditRoutes } from './routes/audit.js';
import { autonomyRoutes } from './routes/autonomy.js';
import { erasureRoutes } from './routes/erasures.js';
import { inboxRoutes } from './routes/inbox.js';
import { personalTokenRoutes } from './routes/personal-tokens.js';
import { releaseRoutes } from './routes/releases.js';
import { reviewRoutes } from './routes/review.js';
import { runRoutes } from './routes/runs.js';
import { signInRoutes } from './routes/sign-in.js';
import { slackRoutes } from './routes/slack.js';
import { usageRoutes } from './routes/usage.js';
import { userRoutes } from './routes/users.js';
import { webhookRoutes } from './routes/webhooks.js';
import { workflowRoutes } from './routes/workflows.js';

export const apiHandlers: RouteHandlers<Exclude<RouteId, ConsoleRouteId | KnowledgeRouteId>> = {
  health: (c) => c.json({ ok: true }),
  openapi: (c) => c.json(openApiDocument(new URL(c.req.url).origin)),
  ...webhookRoutes,
  ...runRoutes,
  ...approvalRoutes,
  ...reviewRoutes,
  ...inboxRoutes,
  ...slackRoutes,
  ...usageRoutes,
  ...autonomyRoutes,
  ...apiKeyRoutes,
  ...personalTokenRoutes,
  ...userRoutes,
  ...auditRoutes,
  ...erasureRoutes,
  ...releaseRoutes,
  ...workflowRoutes,
  ...signInRoutes,
};

/** Slack's signing secret, which the request limits check a Slack request's signature with (throttle.ts). */
export const slackSigningSecret = async (): Promise<string | undefined> => (await channelSecrets()).slackSigningSecret;
