/**
 * Wraps a step function body as a Lambda handler: middy + Powertools logger context and tracer
 * subsegment, and zod parsing of the event so a malformed payload fails with a message naming the
 * field. Every line logged during the invocation (the event itself included), and the invocation's
 * X-Ray subsegment, carry the run, workflow and step it is about, when the event names them: the
 * keys to follow one run through the logs and the traces.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { ZodType } from 'zod';
import { ValidationError } from './errors.js';
import { logger } from './logger.js';
import { annotate, tracingMiddleware } from './tracer.js';

/** The run, workflow and step a step event is about (a state machine task's payload), as log keys and trace annotations. */
function correlationKeys(event: unknown): Record<string, string> {
  const e = event as { state?: { run?: { runId?: unknown; workflowId?: unknown } }; step?: { id?: unknown } } | undefined;
  const keys = { runId: e?.state?.run?.runId, workflowId: e?.state?.run?.workflowId, stepId: e?.step?.id };
  return Object.fromEntries(Object.entries(keys).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

export interface StepHandlerOptions<TEvent> {
  /** The ids an event that is no step event names (e.g. the run a status change is about), as log keys and trace annotations. */
  readonly correlate?: (event: TEvent) => Record<string, string>;
}

/** Records these keys for the rest of the invocation: on its log lines and its trace subsegment. */
function correlate(keys: Record<string, string>): void {
  logger.appendKeys(keys);
  annotate(keys);
}

export function stepHandler<TEvent, TResult>(schema: ZodType<TEvent>, body: (event: TEvent, context: Context) => Promise<TResult>, options: StepHandlerOptions<TEvent> = {}) {
  return middy(async (raw: unknown, context: Context) => {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.') ?? '';
      throw new ValidationError(`Invalid step event at ${field || '(root)'}: ${issue?.message}`, field);
    }
    if (options.correlate) correlate(options.correlate(parsed.data));
    return body(parsed.data, context);
  })
    // First, so the invocation's subsegment is open for the annotations below, and closed last.
    .use(tracingMiddleware())
    // Before the logger's own middleware, so the event line carries them too; cleared after each invocation.
    .use({ before: (request) => correlate(correlationKeys(request.event)) })
    .use(injectLambdaContext(logger, { resetKeys: true }));
}
