/**
 * The functions Step Functions, event rules and schedules invoke run on a thread of their own, as
 * Lambda runs them apart from the API: the HTTP API, the state machines and the Step Functions
 * endpoint keep the main thread, the step handlers and their AWS SDK clients get the second core
 * (the emulators have a thread too: emulators.ts). The thread is a LambdaHost of its own
 * (lambda-thread-worker.mjs → lambda-thread-serve.ts): modules loaded once and kept warm, each
 * invocation in its own scope with only its function's environment, the event and the result
 * passed as JSON text (what Lambda carries; parsed once, on the side that reads it), errors named
 * after their Lambda errorType — the same contract as in-process.
 *
 * The environment follows the main thread's: a variable set or deleted there (the API's URL once it
 * listens, a test's receiver URL) is sent before the next invocation. The thread's DynamoDB requests
 * go to the emulators' thread over a port of its own (emulator-transport.ts), not a socket.
 */
import { type MessagePort, Worker } from 'node:worker_threads';
import { environment } from './function-env.js';
import { LambdaHost, lambdaInvokeError } from './lambda-host.js';
import type { LocalFunction } from './template-reader.js';

export type ThreadRequest =
  | { readonly type: 'env'; readonly values: Record<string, string> }
  | { readonly type: 'invoke'; readonly id: number; readonly arn: string; /** JSON text. */ readonly event: string };

export type ThreadReply =
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly id: number; /** JSON text. */ readonly result: string }
  | { readonly type: 'error'; readonly id: number; readonly name: string; readonly message: string };

export interface ThreadData {
  readonly functions: LocalFunction[];
  readonly projectRoot: string;
  /** Each function's visible variable names (function-env.ts), by ARN. */
  readonly visible: Record<string, string[]>;
  /** Each function's own values of names functions disagree on (function-env.ts), by ARN. */
  readonly own: Record<string, Record<string, string>>;
  readonly env: Record<string, string>;
  /** Where the thread's DynamoDB requests go without a socket (emulators.ts `connect`); none: over HTTP. */
  readonly dynamodb?: MessagePort;
}

/**
 * A LambdaHost whose `invoke` runs the function on the functions' thread; `asInvocation` (the API's
 * requests) still runs on the calling thread.
 */
export class ThreadedLambdaHost extends LambdaHost {
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private nextId = 0;
  private sentVersion: number;
  /** Why the thread is gone, once it is: later invocations fail at once instead of waiting forever. */
  private stopped: string | undefined;
  private constructor(
    private readonly worker: Worker,
    functions: LocalFunction[],
    projectRoot: string,
    visibleNames: (fn: LocalFunction) => ReadonlySet<string>,
    ownValues: (fn: LocalFunction) => Readonly<Record<string, string>>,
    version: number,
  ) {
    super(functions, projectRoot, visibleNames, ownValues);
    this.sentVersion = version;
    worker.on('message', (reply: ThreadReply) => {
      if (reply.type === 'ready') return;
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.type === 'result') waiting?.resolve(JSON.parse(reply.result));
      else waiting?.reject(lambdaInvokeErrorOf(reply.name, reply.message));
    });
    // A thread that dies (out of memory, a crash in native code) fails what it was running, as a Lambda runtime error.
    worker.on('error', (err) => this.failAll(`The functions' thread stopped: ${err.message}`));
    worker.on('exit', () => this.failAll("The functions' thread exited"));
  }

  /** Starts the functions' thread; resolves once it listens. */
  static async start(
    functions: LocalFunction[],
    projectRoot: string,
    visibleNames: (fn: LocalFunction) => ReadonlySet<string>,
    ownValues: (fn: LocalFunction) => Readonly<Record<string, string>> = () => ({}),
    dynamodb?: MessagePort,
  ): Promise<ThreadedLambdaHost> {
    const env = environment();
    const data: ThreadData = {
      functions,
      projectRoot,
      visible: Object.fromEntries(functions.map((fn) => [fn.arn, [...visibleNames(fn)]])),
      own: Object.fromEntries(functions.map((fn) => [fn.arn, { ...ownValues(fn) }])),
      env: env.values(),
      ...(dynamodb ? { dynamodb } : {}),
    };
    const worker = new Worker(new URL('./lambda-thread-worker.mjs', import.meta.url), { workerData: data, execArgv: [], transferList: dynamodb ? [dynamodb] : [] });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (m: ThreadReply) => m.type === 'ready' && (worker.off('error', reject), resolve());
      worker.once('message', onMessage);
      worker.once('error', reject);
    });
    return new ThreadedLambdaHost(worker, functions, projectRoot, visibleNames, ownValues, env.version);
  }

  override invoke(arn: string, event: unknown): Promise<unknown> {
    if (this.stopped) return Promise.reject(lambdaInvokeError('Runtime.ExitError', this.stopped));
    const env = environment();
    if (env.version !== this.sentVersion) {
      this.sentVersion = env.version;
      this.worker.postMessage({ type: 'env', values: env.values() } satisfies ThreadRequest);
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      try {
        this.worker.postMessage({ type: 'invoke', id, arn, event: JSON.stringify(event ?? null) } satisfies ThreadRequest);
      } catch (err) {
        // An event that cannot cross (a BigInt, a cycle): Lambda would not take it either.
        this.pending.delete(id);
        reject(err);
      }
    });
  }

  private failAll(message: string): void {
    this.stopped ??= message;
    for (const { reject } of this.pending.values()) reject(lambdaInvokeError('Runtime.ExitError', message));
    this.pending.clear();
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/** The Error the thread's invocation failed with (lambdaInvokeError's: errorType and Lambda's payload), rebuilt. */
function lambdaInvokeErrorOf(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}
