/**
 * Runs each function's shipped bundle the way Lambda runs it: one long-lived Node process per
 * function (bundle-runner.mjs; a warm execution environment, started on the first invocation and
 * reused for every one after), in the asset directory, with exactly its environment
 * (lambda-environment.ts). Invocations go over IPC one at a time, as JSON both ways; a function
 * error comes back as Lambda reports it and rejects with an Error named after its errorType, the
 * contract of LambdaHost.invoke, so Step Functions' Retry and Catch work the same.
 *
 * Like Lambda: a function that runs past its Timeout is stopped (`Sandbox.Timedout`) and its
 * environment discarded; an environment whose init fails or whose process dies
 * (`Runtime.ExitError`) is replaced on the next invocation; payloads over 6 MB are refused. Each
 * function's output (its logs) is appended to `<logsDir>/<logicalId>.log`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lambdaInvokeError, type LambdaInvoker } from './lambda-host.js';

/** Lambda's limit for a synchronous invocation's request and response payloads. */
export const MAX_INVOKE_PAYLOAD_BYTES = 6 * 1024 * 1024;

export interface BundledFunction {
  readonly logicalId: string;
  readonly arn: string;
  readonly kind: string;
  /** The directory `cdk synth` bundled the function into (`asset.<hash>`): its task root. */
  readonly assetDir: string;
  readonly timeoutSeconds: number;
  /** The process's whole environment. */
  readonly environment: Record<string, string>;
}

export interface BundleHostOptions {
  /** Where each function's output goes, as CloudWatch Logs keeps it. */
  readonly logsDir: string;
  /** @default the Node binary running the host */
  readonly nodeBinary?: string;
}

/** One function's execution environment, as the tests see it. */
export interface EnvironmentInfo {
  readonly logicalId: string;
  readonly kind: string;
  /** The running process, if any. */
  readonly pid?: number;
  /** Processes started so far (cold starts). */
  readonly starts: number;
  readonly invocations: number;
}

export interface ProcessInfo {
  readonly pid: number;
  /** The environment the process started with: what the platform gave the function. */
  readonly startEnv: Record<string, string>;
  /** `process.env` now, as the function's code sees it (its modules may have added to it, e.g. Powertools' AWS_SDK_UA_APP_ID). */
  readonly env: Record<string, string>;
}

type Reply =
  | { type: 'ready' }
  | { type: 'init-error'; error: LambdaErrorPayload }
  | { type: 'result'; id: string; payload: string }
  | { type: 'error'; id: string; error: LambdaErrorPayload }
  | { type: 'described'; id: string; pid: number; startEnv: Record<string, string>; env: Record<string, string> };

interface LambdaErrorPayload {
  readonly errorType: string;
  readonly errorMessage: string;
}

const RUNNER = fileURLToPath(new URL('./bundle-runner.mjs', import.meta.url));
const TAIL_LINES = 20;

class ExecutionEnvironment {
  private child?: ChildProcess;
  private ready?: Promise<ChildProcess>;
  /** Requests sent and not yet answered, each with the process it went to. */
  private readonly pending = new Map<string, { child: ChildProcess; resolve: (reply: Reply) => void; reject: (err: Error) => void }>();
  private turn: Promise<unknown> = Promise.resolve();
  private readonly tail: string[] = [];
  private readonly log: WriteStream;
  starts = 0;
  invocations = 0;

  constructor(
    readonly fn: BundledFunction,
    logsDir: string,
    private readonly nodeBinary: string,
  ) {
    this.log = createWriteStream(join(logsDir, `${fn.logicalId}.log`), { flags: 'a' });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** One invocation at a time, in arrival order, as in one Lambda execution environment. */
  invoke(event: unknown): Promise<unknown> {
    const run = this.turn.then(() => this.run(event));
    this.turn = run.catch(() => undefined);
    return run;
  }

  async describe(): Promise<ProcessInfo> {
    const reply = await this.request(await this.start(), { type: 'describe', id: randomUUID() });
    if (reply.type !== 'described') throw new Error(`${this.fn.logicalId}: unexpected reply ${reply.type}`);
    return { pid: reply.pid, startEnv: reply.startEnv, env: reply.env };
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((done) => {
        child.once('close', () => done()); // exited, and its output read
        child.kill('SIGKILL');
      });
    }
    await new Promise<void>((done) => this.log.end(() => done()));
  }

  private async run(event: unknown): Promise<unknown> {
    const payload = JSON.stringify(event ?? null);
    if (Buffer.byteLength(payload) > MAX_INVOKE_PAYLOAD_BYTES) {
      throw lambdaInvokeError('RequestEntityTooLargeException', `Request must be smaller than ${MAX_INVOKE_PAYLOAD_BYTES} bytes for the InvokeFunction operation`);
    }
    const child = await this.start();
    this.invocations++;
    const requestId = randomUUID();
    const timeoutMs = this.fn.timeoutSeconds * 1000;
    const timer = setTimeout(() => {
      this.discard(child);
      this.fail(child, lambdaInvokeError('Sandbox.Timedout', `RequestId: ${requestId} Error: Task timed out after ${this.fn.timeoutSeconds.toFixed(2)} seconds`));
      child.kill('SIGKILL');
    }, timeoutMs);
    try {
      const reply = await this.request(child, { type: 'invoke', id: requestId, payload, requestId, functionArn: this.fn.arn, deadline: Date.now() + timeoutMs });
      if (reply.type === 'error') throw lambdaInvokeError(reply.error.errorType, reply.error.errorMessage);
      if (reply.type !== 'result') throw new Error(`${this.fn.logicalId}: unexpected reply ${reply.type}`);
      if (Buffer.byteLength(reply.payload) > MAX_INVOKE_PAYLOAD_BYTES) {
        throw lambdaInvokeError('Function.ResponseSizeTooLarge', `Response payload size exceeded maximum allowed payload size (${MAX_INVOKE_PAYLOAD_BYTES} bytes).`);
      }
      return JSON.parse(reply.payload) as unknown;
    } finally {
      clearTimeout(timer);
    }
  }

  private request(child: ChildProcess, message: { type: string; id: string } & Record<string, unknown>): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(message.id, { child, resolve, reject });
      child.send(message, (err) => {
        if (err) this.settle(message.id)?.reject(err);
      });
    });
  }

  private settle(id: string) {
    const waiting = this.pending.get(id);
    this.pending.delete(id);
    return waiting;
  }

  /** Lambda replaces an environment that timed out, failed its init or died: the next invocation starts a new one. */
  private discard(child: ChildProcess): void {
    if (this.child === child) this.child = this.ready = undefined;
  }

  /** Fails what waits on `child`: an environment's end never touches its successor's invocations. */
  private fail(child: ChildProcess, error: Error): void {
    for (const [id, waiting] of [...this.pending]) if (waiting.child === child) this.settle(id)?.reject(error);
  }

  /** The running environment, or a new one (a cold start: the bundle's init runs before it is ready). */
  private start(): Promise<ChildProcess> {
    if (this.ready) return this.ready;
    this.starts++;
    const child = fork(RUNNER, [], {
      cwd: this.fn.assetDir,
      env: this.fn.environment,
      execPath: this.nodeBinary,
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child = child;
    this.tail.length = 0;
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.on('data', (chunk: Buffer) => {
        if (!this.log.writableEnded) this.log.write(chunk);
        this.tail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        this.tail.splice(0, Math.max(0, this.tail.length - TAIL_LINES));
      });
    }
    this.ready = new Promise<ChildProcess>((resolve, reject) => {
      child.on('message', (reply: Reply) => {
        if (reply.type === 'ready') {
          resolve(child);
        } else if (reply.type === 'init-error') {
          this.discard(child);
          reject(lambdaInvokeError(reply.error.errorType, reply.error.errorMessage));
        } else {
          this.settle(reply.id)?.resolve(reply);
        }
      });
      const ended = (error: Error) => {
        this.discard(child);
        reject(error);
        this.fail(child, error);
      };
      child.once('exit', (code, signal) =>
        ended(lambdaInvokeError('Runtime.ExitError', `Error: Runtime exited ${signal ? `with signal: ${signal}` : `with error: exit status ${code}`}${this.recentOutput()}`)),
      );
      child.once('error', (err) => ended(lambdaInvokeError('Runtime.ExitError', `Error: the runtime could not start: ${err.message}`)));
    });
    // An init error is reported to the invocations waiting for this environment, and the process exits.
    const ready = this.ready;
    ready.catch(() => undefined);
    return ready;
  }

  private recentOutput(): string {
    return this.tail.length ? `; last output: ${this.tail.slice(-5).join(' | ').slice(0, 2000)}` : '';
  }
}

export class BundleHost implements LambdaInvoker {
  private readonly environments = new Map<string, ExecutionEnvironment>();
  private stopped = false;

  constructor(functions: readonly BundledFunction[], options: BundleHostOptions) {
    mkdirSync(options.logsDir, { recursive: true });
    for (const fn of functions) this.environments.set(fn.arn, new ExecutionEnvironment(fn, options.logsDir, options.nodeBinary ?? process.execPath));
  }

  private find(arn: string): ExecutionEnvironment {
    // After stop nothing starts again (e.g. an event rule reacting to executions the stop ended).
    if (this.stopped) throw lambdaInvokeError('ServiceException', `The bundle host has stopped; ${arn} was not invoked`);
    const environment = this.environments.get(arn);
    if (!environment) throw lambdaInvokeError('ResourceNotFoundException', `Function not found: ${arn}`);
    return environment;
  }

  /** Invokes the function with ARN `arn` in its bundle's process; rejects with an Error named after the Lambda errorType. */
  async invoke(arn: string, event: unknown): Promise<unknown> {
    return this.find(arn).invoke(event);
  }

  /** The function's process: its id and environment (starts it if needed). */
  async describe(arn: string): Promise<ProcessInfo> {
    return this.find(arn).describe();
  }

  /** Every function's execution environment: its process, cold starts and invocations. */
  list(): EnvironmentInfo[] {
    return [...this.environments.values()].map((e) => ({ logicalId: e.fn.logicalId, kind: e.fn.kind, pid: e.pid, starts: e.starts, invocations: e.invocations }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.environments.values()].map((e) => e.stop()));
  }
}
