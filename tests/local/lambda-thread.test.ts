/**
 * The functions' thread (local/lambda-thread.ts): invocations run on another thread than the caller,
 * modules stay warm, each function sees only its own environment (and the main thread's changes to
 * it), errors keep their Lambda errorType, and closing the thread fails what was still running.
 */
import { threadId } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installFunctionEnv } from '../../local/function-env.js';
import { ThreadedLambdaHost } from '../../local/lambda-thread.js';
import type { LocalFunction } from '../../local/template-reader.js';
import { projectRoot } from '../../infra/project-root.js';

const fn = (name: string, environment: Record<string, string>): LocalFunction => ({
  logicalId: name,
  arn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
  entry: 'tests/fixtures/functions/echo-handler.ts',
  kind: 'echo',
  timeoutSeconds: 30,
  memorySize: 512,
  environment,
  unresolved: [],
  handler: 'index.handler',
  runtime: 'nodejs22.x',
});
const first = fn('First', { FIRST_ONLY: 'a' });
const second = fn('Second', { SECOND_ONLY: 'b' });

let host: ThreadedLambdaHost;

beforeAll(async () => {
  process.env.FIRST_ONLY = 'a';
  process.env.SECOND_ONLY = 'b';
  installFunctionEnv();
  host = await ThreadedLambdaHost.start([first, second], projectRoot, (f) => new Set(Object.keys(f.environment)));
});
afterAll(() => host?.close());

describe('ThreadedLambdaHost', () => {
  it('runs each invocation on the functions\' thread, with a warm module and the Lambda context', async () => {
    const one = (await host.invoke(first.arn, {})) as { invocations: number; threadId: number; functionName: string };
    const two = (await host.invoke(first.arn, {})) as { invocations: number; threadId: number };
    expect(one.threadId).not.toBe(threadId);
    expect(two.invocations).toBe(one.invocations + 1);
    expect(one.functionName).toBe('First');
  });

  it('shows each function only its own variables, and what the main thread changes later', async () => {
    const read = ['FIRST_ONLY', 'SECOND_ONLY', 'LATER'];
    expect(((await host.invoke(first.arn, { read })) as { env: unknown }).env).toEqual({ FIRST_ONLY: 'a', SECOND_ONLY: null, LATER: null });
    expect(((await host.invoke(second.arn, { read })) as { env: unknown }).env).toEqual({ FIRST_ONLY: null, SECOND_ONLY: 'b', LATER: null });
    process.env.FIRST_ONLY = 'changed';
    delete process.env.SECOND_ONLY;
    expect(((await host.invoke(first.arn, { read })) as { env: unknown }).env).toEqual({ FIRST_ONLY: 'changed', SECOND_ONLY: null, LATER: null });
    expect(((await host.invoke(second.arn, { read })) as { env: unknown }).env).toEqual({ FIRST_ONLY: null, SECOND_ONLY: null, LATER: null });
  });

  it('rejects with the Error Step Functions matches: named after the errorType, Lambda\'s payload as message', async () => {
    const failed = host.invoke(first.arn, { fail: { name: 'DeliveryFailed', message: 'the receiver said 503' } });
    await expect(failed).rejects.toMatchObject({ name: 'DeliveryFailed', message: JSON.stringify({ errorType: 'DeliveryFailed', errorMessage: 'the receiver said 503' }) });
  });

  it('answers an unknown function as Lambda does', async () => {
    await expect(host.invoke('arn:aws:lambda:us-east-1:000000000000:function:Nope', {})).rejects.toMatchObject({ name: 'Lambda.ResourceNotFoundException' });
  });

  it('fails what is still running when the thread stops', async () => {
    const other = await ThreadedLambdaHost.start([first], projectRoot, (f) => new Set(Object.keys(f.environment)));
    const running = other.invoke(first.arn, {});
    await other.close();
    await expect(running).rejects.toMatchObject({ name: 'Runtime.ExitError' });
    // …and what is invoked after, at once.
    await expect(other.invoke(first.arn, {})).rejects.toMatchObject({ name: 'Runtime.ExitError' });
  });
});
