/**
 * The app with every route of the table (what the local runtime serves in one process, and what
 * tests drive): the API's routes (api-routes.ts), the console's (routes/console.ts) and the
 * knowledge routes (routes/knowledge.ts). On AWS each Lambda function builds its own share
 * (handler.ts, console-handler.ts, knowledge-handler.ts) with app-core.ts.
 *
 * @example
 * const res = await createApp().request('/health');
 */
import type { Hono } from 'hono';
import { apiHandlers, slackSigningSecret } from './api-routes.js';
import { buildApp, type AppOptions } from './app-core.js';
import type { RouteHandlers } from './route-handlers.js';
import { consoleRoutes } from './routes/console.js';
import { knowledgeRoutes } from './routes/knowledge.js';

export type { AppOptions } from './app-core.js';

const allHandlers = { ...apiHandlers, ...consoleRoutes, ...knowledgeRoutes } satisfies RouteHandlers;

export function createApp(options: AppOptions = {}): Hono {
  return buildApp(allHandlers, { ...options, slackSecret: slackSigningSecret });
}
