/**
 * Lambda entry of the knowledge routes (every path under /knowledge/: API Gateway routes them here;
 * every other route goes to handler.ts or console-handler.ts). Their own function: they alone need
 * the S3 client (document-store.ts), about 130 KB the API's bundle no longer carries. Same app,
 * same access checks and limits, only the knowledge routes.
 */
import { buildApp } from './app-core.js';
import { httpHandler } from './lambda-entry.js';
import { knowledgeRoutes } from './routes/knowledge.js';

export const handler = httpHandler(buildApp(knowledgeRoutes));
