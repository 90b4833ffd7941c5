/**
 * Lambda entry of the HTTP API (API Gateway HTTP API, payload format 2.0). `hono/aws-lambda` hands
 * the app the Lambda context as `c.env.lambdaContext`; the app puts it on its log lines
 * (api/lambda-context.ts), as injectLambdaContext does for the step handlers.
 */
import { handle } from 'hono/aws-lambda';
import { createApp } from './app.js';

export const handler = handle(createApp());
