/**
 * Wraps a step function body as a Lambda handler: middy + Powertools logger context, and zod
 * parsing of the event so a malformed payload fails with a message naming the field.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { ZodType } from 'zod';
import { ValidationError } from './errors.js';
import { logger } from './logger.js';

export function stepHandler<TEvent, TResult>(schema: ZodType<TEvent>, body: (event: TEvent, context: Context) => Promise<TResult>) {
  return middy(async (raw: unknown, context: Context) => {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.') ?? '';
      throw new ValidationError(`Invalid step event at ${field || '(root)'}: ${issue?.message}`, field);
    }
    return body(parsed.data, context);
  }).use(injectLambdaContext(logger));
}
