/**
 * Runs the real handler modules in-process, the way Lambda runs them: each module is loaded once
 * (a warm container), called with the event and a Lambda context, and its errors are reported
 * with the Lambda error shape (errorType / errorMessage) that Step Functions Retry/Catch match.
 * Each invocation runs in its own invocation scope (functions/shared/invocation-scope.ts), so
 * concurrent invocations of different functions log under their own function's name.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { inInvocationScope } from '../functions/shared/invocation-scope.js';
import { withFunctionEnv } from './function-env.js';
import type { LocalFunction } from './template-reader.js';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/** What Step Functions, EventBridge rules and schedules need of a Lambda host: Invoke. */
export interface LambdaInvoker {
  /** Invokes the function with ARN `arn`; rejects with an Error named after the Lambda errorType. */
  invoke(arn: string, event: unknown): Promise<unknown>;
}

/**
 * What Invoke reports for a function error, as a caller sees it: an Error named after the Lambda
 * errorType (what Step Functions Retry/Catch match), whose message is Lambda's error payload.
 */
export function lambdaInvokeError(errorType: string, errorMessage: string): Error {
  const error = new Error(JSON.stringify({ errorType, errorMessage }));
  error.name = errorType;
  return error;
}

export class LambdaHost implements LambdaInvoker {
  private readonly functions = new Map<string, LocalFunction>();
  private readonly modules = new Map<string, Promise<Handler>>();

  private readonly names = new Map<string, ReadonlySet<string>>();

  private readonly own = new Map<string, Readonly<Record<string, string>>>();

  /**
   * `visibleNames`: the environment variables a function may read (function-env.ts); none: all.
   * `ownValues`: the values of its own that the shared environment cannot hold (function-env.ts).
   */
  constructor(
    functions: LocalFunction[],
    private readonly projectRoot: string,
    visibleNames?: (fn: LocalFunction) => ReadonlySet<string>,
    ownValues?: (fn: LocalFunction) => Readonly<Record<string, string>>,
  ) {
    for (const fn of functions) {
      this.functions.set(fn.arn, fn);
      if (visibleNames) this.names.set(fn.arn, visibleNames(fn));
      if (ownValues) this.own.set(fn.arn, ownValues(fn));
    }
  }

  private load(fn: LocalFunction): Promise<Handler> {
    let mod = this.modules.get(fn.arn);
    if (!mod) {
      mod = import(pathToFileURL(resolve(this.projectRoot, fn.entry)).href).then((m: { handler?: Handler }) => {
        if (typeof m.handler !== 'function') throw new Error(`${fn.entry} does not export a handler`);
        return m.handler;
      });
      this.modules.set(fn.arn, mod);
    }
    return mod;
  }

  private find(arn: string): LocalFunction {
    const fn = this.functions.get(arn);
    if (!fn) throw Object.assign(new Error(`Function not found: ${arn}`), { name: 'Lambda.ResourceNotFoundException' });
    return fn;
  }

  private contextFor(fn: LocalFunction): Context {
    const deadline = Date.now() + fn.timeoutSeconds * 1000;
    return {
      callbackWaitsForEmptyEventLoop: true,
      functionName: fn.logicalId,
      functionVersion: '$LATEST',
      invokedFunctionArn: fn.arn,
      memoryLimitInMB: String(fn.memorySize),
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${fn.logicalId}`,
      logStreamName: 'local',
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    } satisfies Context;
  }

  /** Runs `body` as one invocation of the function with ARN `arn` (its own scope and Lambda context). */
  asInvocation<T>(arn: string, body: (context: Context) => Promise<T>): Promise<T> {
    const context = this.contextFor(this.find(arn));
    const names = this.names.get(arn);
    const run = () => inInvocationScope(context.awsRequestId, () => body(context));
    return names ? withFunctionEnv(names, run, this.own.get(arn)) : run();
  }

  /** Invokes the function with ARN `arn`; rejects with an Error named after the Lambda errorType. */
  async invoke(arn: string, event: unknown): Promise<unknown> {
    return JSON.parse(await this.invokeJson(arn, JSON.stringify(event ?? null)));
  }

  /**
   * Invoke with the event as JSON text, the result as JSON text (`null` for none): the payloads as
   * Lambda carries them, and what crosses to the functions' thread (lambda-thread.ts) as is.
   */
  async invokeJson(arn: string, eventJson: string): Promise<string> {
    const fn = this.find(arn);
    try {
      // Loaded inside the invocation (what a module reads as it loads is its function's), and parsed
      // from JSON, as on Lambda: handlers never share objects with the caller.
      const result = await this.asInvocation(arn, async (context) => (await this.load(fn))(JSON.parse(eventJson), context));
      return JSON.stringify(result === undefined ? null : result);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      throw lambdaInvokeError(e.name, e.message);
    }
  }
}
