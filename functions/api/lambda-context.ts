/**
 * Puts the API function's Lambda context on the request's log lines. `hono/aws-lambda` passes it
 * as `c.env.lambdaContext` on AWS; a host that serves the app itself (the local runtime) passes
 * one the same way, inside the request's invocation scope (shared/invocation-scope.ts).
 */
import type { Context as LambdaContext } from 'aws-lambda';
import type { MiddlewareHandler } from 'hono';
import { logger } from '../shared/logger.js';

export function lambdaContextLogging(): MiddlewareHandler {
  return async (c, next) => {
    const context = (c.env as { lambdaContext?: LambdaContext } | undefined)?.lambdaContext;
    if (context) logger.addContext(context);
    await next();
  };
}
