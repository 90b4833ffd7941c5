/** Shared set-up: the engine behind its HTTP endpoint, driven by the real SFNClient (over HTTP, or handed its requests in-process). */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { SFNClient } from '@aws-sdk/client-sfn';
import { LocalStepFunctions } from '../../../local/stepfunctions/engine.js';
import { sfnExchange, startSfnEndpoint, type SfnEndpoint } from '../../../local/stepfunctions/endpoint.js';
import { InProcessRequestHandler } from '../../../local/in-process-requests.js';
import type { TaskTokenIssuedEvent } from '../../../local/stepfunctions/types.js';

export const fnArn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

export type TestFunction = (payload: any) => unknown;

/** What a Lambda error looks like to the engine: `name` is the errorType Retry/Catch match. */
export function lambdaError(errorType: string, message: string): Error {
  const error = new Error(message);
  error.name = errorType;
  return error;
}

export interface Service {
  readonly engine: LocalStepFunctions;
  readonly endpoint: SfnEndpoint;
  readonly client: SFNClient;
  /** Every invocation, by function name. */
  readonly calls: Map<string, unknown[]>;
  close(): Promise<void>;
}

export async function startService(functions: Record<string, TestFunction>, maxClosedExecutions?: number, transport: 'http' | 'in-process' = 'http'): Promise<Service> {
  const calls = new Map<string, unknown[]>();
  const engine = new LocalStepFunctions({
    maxClosedExecutions,
    invokeLambda: async (functionArn, payload) => {
      const name = functionArn.split(':').pop() as string;
      const fn = functions[name];
      if (!fn) throw lambdaError('ResourceNotFoundException', `Function not found: ${functionArn}`);
      calls.set(name, [...(calls.get(name) ?? []), payload]);
      return fn(payload);
    },
  });
  const endpoint = await startSfnEndpoint(engine);
  const client = new SFNClient({
    // In-process, the client's endpoint is one nothing listens at: every answer came without a socket.
    endpoint: transport === 'http' ? endpoint.url : 'http://127.0.0.1:9',
    ...(transport === 'in-process' ? { requestHandler: new InProcessRequestHandler(sfnExchange(engine)) } : {}),
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
  });
  return {
    engine,
    endpoint,
    client,
    calls,
    async close() {
      client.destroy();
      await endpoint.close();
    },
  };
}

export function nextTaskToken(engine: LocalStepFunctions): Promise<TaskTokenIssuedEvent> {
  return once(engine, 'taskTokenIssued').then(([event]) => event as TaskTokenIssuedEvent);
}

/** The name of the SDK exception a call rejected with. */
export async function errorName(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (err) {
    return (err as Error).name;
  }
  throw new Error('expected the call to fail');
}

/**
 * Engines on persistence folders (durable executions): `newDir()` makes a folder, `engines` takes
 * each engine made; after each test every journal is closed, every running execution stopped and
 * every folder removed.
 */
export function durableEngines(prefix: string): { newDir(): string; readonly engines: LocalStepFunctions[] } {
  const dirs: string[] = [];
  const engines: LocalStepFunctions[] = [];
  afterEach(async () => {
    for (const engine of engines.splice(0)) {
      engine.closeJournal();
      for (const { stateMachineArn } of await engine.listStateMachines()) {
        for (const { executionArn, status } of await engine.listExecutions(stateMachineArn!)) {
          if (status === 'RUNNING') await engine.stopExecution(executionArn!);
        }
      }
    }
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return {
    engines,
    newDir: () => {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      return dir;
    },
  };
}
