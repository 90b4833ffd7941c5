/**
 * One Powertools Tracer per process (service name `handrail`), shared by every handler module, as
 * logger.ts and metrics.ts are: X-Ray subsegments for each invocation (`## index.handler`, with the
 * run, workflow and step it is about as annotations) and for each AWS SDK call (aws-clients.ts).
 *
 * On or off is decided once, when the module loads, by Powertools itself: on in a Lambda execution
 * environment (`AWS_EXECUTION_ENV`, which Lambda sets) unless the function's environment says
 * `POWERTOOLS_TRACE_ENABLED=false`. No template sets that variable (only the in-process local
 * runtime does, below): a function is traced because its template says `TracingConfig: Active`
 * (infra/constructs/handrail-function.ts), and whether an invocation is recorded is X-Ray's
 * sampling decision, carried by Lambda's trace header (`_X_AMZN_TRACE_ID`, `Sampled=1|0`). So each bundle runs with the tracer in the state its
 * template function and the platform give it:
 * - On AWS: on; sampled invocations are sent to the X-Ray daemon Lambda runs beside the function.
 * - The parity suite's bundle host (local/bundle-runner.mjs) plays Lambda's platform, trace header
 *   included, and never samples (`Sampled=0`), as Lambda does for most invocations: the tracer is
 *   on, every code path it adds runs, and nothing is sent (there is no daemon to send it to).
 * - The local runtime (`npm start`, tests/local) runs every function in one process, which is no
 *   Lambda execution environment (no `AWS_EXECUTION_ENV`, no trace header, no daemon, and one
 *   tracer for every function): Powertools turns the tracer off, and the runtime says so too
 *   (`POWERTOOLS_TRACE_ENABLED=false`, local/runtime.ts), so a shell that sets `AWS_EXECUTION_ENV`
 *   (CloudShell does) changes nothing. The tracer is then not loaded at all: a client is handed
 *   back untouched, an invocation gets no middleware.
 *
 * What is recorded, and what is not: annotations are indexed and searchable, so only ids (run,
 * workflow, step, API route); never a handler's response, nor an error's message or stack (they
 * may quote a ticket, a draft or what a webhook answered): every function's template sets
 * `POWERTOOLS_TRACER_CAPTURE_RESPONSE` and `POWERTOOLS_TRACER_CAPTURE_ERROR` to false
 * (TRACER_ENVIRONMENT in env-names.ts), and a failed invocation's subsegment carries the error
 * flag; the error itself is on the (redacted) log line, which has the trace id. Outbound HTTP (model providers, webhooks, Slack, Teams) is not traced:
 * the X-Ray SDK would record each URL, and a Teams webhook's URL is a credential.
 */
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { MiddlewareObj } from '@middy/core';

/**
 * Powertools' own rule, read before loading it: a Lambda execution environment whose
 * POWERTOOLS_TRACE_ENABLED does not say false. Elsewhere the tracer is not even loaded: the X-Ray
 * SDK's context (cls-hooked) hooks every promise of the process from the moment it loads, which
 * made each `await` of the local runtime (every function in one process) ~15 times dearer.
 */
const wanted = Boolean(process.env.AWS_EXECUTION_ENV) && !/^(false|0)$/i.test(process.env.POWERTOOLS_TRACE_ENABLED ?? '');

/** The process's tracer on Lambda (Powertools may still turn it off: SAM local, Amplify); undefined elsewhere. */
export const tracer: Tracer | undefined = wanted ? new (await import('@aws-lambda-powertools/tracer')).Tracer({ serviceName: 'handrail', captureHTTPsRequests: false }) : undefined;

/**
 * The client, its calls recorded as X-Ray subsegments (service, operation, table or bucket, status)
 * when the tracer is on; the very same client, untouched, when it is off.
 * @example documentClient = DynamoDBDocumentClient.from(traced(new DynamoDBClient({})))
 */
export function traced<T>(client: T): T {
  return tracer ? tracer.captureAWSv3Client(client) : client;
}

/** Annotates the current invocation's subsegment with these ids (indexed: ids only, never personal data). */
export function annotate(keys: Readonly<Record<string, string>>): void {
  if (!tracer?.isTracingEnabled()) return;
  for (const [key, value] of Object.entries(keys)) tracer.putAnnotation(key, value);
}

/** The invocation's subsegment (Powertools' middy middleware) where the tracer is loaded; none elsewhere (for middy's `use`). */
export function tracingMiddleware(): MiddlewareObj[] {
  return tracer ? [captureLambdaHandler(tracer)] : [];
}
