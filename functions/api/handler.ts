/**
 * Lambda entry of the HTTP API (API Gateway HTTP API, payload format 2.0): every route of the table
 * but the console's pages (console-handler.ts) and the knowledge routes (knowledge-handler.ts).
 * `hono/aws-lambda` hands the app the Lambda context as `c.env.lambdaContext`; the app puts it on
 * its log lines (api/lambda-context.ts), as injectLambdaContext does for the step handlers.
 */
import { apiHandlers, slackSigningSecret } from './api-routes.js';
import { buildApp } from './app-core.js';
import { httpHandler } from './lambda-entry.js';

export const handler = httpHandler(buildApp(apiHandlers, { slackSecret: slackSigningSecret }));
