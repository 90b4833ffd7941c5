/**
 * Lambda entry of the web console's pages (API Gateway routes them here; the knowledge routes go to
 * knowledge-handler.ts, every other route to handler.ts). Its own function: the dashboard's reads
 * are heavier than the API's, and the API's bundle stays small. Same app, same access checks and
 * limits, only the console's routes.
 */
import { buildApp } from './app-core.js';
import { httpHandler } from './lambda-entry.js';
import { consoleRoutes } from './routes/console.js';

export const handler = httpHandler(buildApp(consoleRoutes));
