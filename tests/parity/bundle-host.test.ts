/**
 * The bundle host (local/bundle-host.ts) on small hand-written assets: one warm process per
 * function, its environment exactly as given, the Lambda context, and errors, timeouts, crashes and
 * failed inits reported as Lambda reports them.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BundleHost, type BundledFunction } from '../../local/bundle-host.js';

const root = mkdtempSync(join(tmpdir(), 'handrail-bundle-host-'));
let host: BundleHost | undefined;
afterEach(async () => {
  await host?.stop();
  host = undefined;
});

/** A function whose asset is `code` as index.mjs, with a minimal Lambda environment. */
function asset(name: string, code: string, timeoutSeconds = 5): BundledFunction {
  const assetDir = join(root, name);
  mkdirSync(assetDir, { recursive: true });
  writeFileSync(join(assetDir, 'index.mjs'), code);
  const environment = { _HANDLER: 'index.handler', LAMBDA_TASK_ROOT: assetDir, AWS_LAMBDA_FUNCTION_NAME: name, AWS_LAMBDA_FUNCTION_VERSION: '$LATEST', GREETING: 'hi' };
  return { logicalId: name, arn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`, kind: name, assetDir, timeoutSeconds, environment };
}

function start(...functions: BundledFunction[]): BundleHost {
  host = new BundleHost(functions, { logsDir: join(root, 'logs') });
  return host;
}

const echo = asset(
  'echo',
  `let calls = 0;
   export const handler = async (event, context) => {
     calls++;
     if (event.waitMs) await new Promise((r) => setTimeout(r, event.waitMs));
     console.log('echo', calls);
     return { event, calls, pid: process.pid, cwd: process.cwd(), greeting: process.env.GREETING, requestId: context.awsRequestId,
       functionName: context.functionName, arn: context.invokedFunctionArn, remaining: context.getRemainingTimeInMillis(), traceId: process.env._X_AMZN_TRACE_ID, at: new Date(0) };
   };`,
);

describe('the bundle host', () => {
  it('runs each function in one warm process of its own, one invocation at a time, with a Lambda context', async () => {
    const h = start(echo);
    const [first, second, third] = (await Promise.all([h.invoke(echo.arn, { n: 1, waitMs: 50 }), h.invoke(echo.arn, { n: 2 }), h.invoke(echo.arn, { n: 3 })])) as any[];
    expect([first.calls, second.calls, third.calls]).toEqual([1, 2, 3]);
    expect(new Set([first.pid, second.pid, third.pid]).size).toBe(1);
    expect(first.pid).not.toBe(process.pid);
    expect(first).toMatchObject({ event: { n: 1 }, cwd: echo.assetDir, greeting: 'hi', functionName: 'echo', arn: echo.arn, at: '1970-01-01T00:00:00.000Z' });
    expect(first.remaining).toBeGreaterThan(4_000);
    expect(first.remaining).toBeLessThanOrEqual(5_000);
    expect(first.traceId).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
    expect(new Set([first.requestId, second.requestId]).size).toBe(2);
    expect(h.list()).toEqual([{ logicalId: 'echo', kind: 'echo', pid: first.pid, starts: 1, invocations: 3 }]);
    await h.stop();
    expect(readFileSync(join(root, 'logs', 'echo.log'), 'utf8')).toContain('echo 3');
  });

  it('gives the process exactly the environment it is given, nothing from the host', async () => {
    process.env.HANDRAIL_HOST_ONLY = 'leak';
    try {
      const { startEnv, env, pid } = await start(echo).describe(echo.arn);
      expect(startEnv).toEqual(echo.environment);
      expect(env).not.toHaveProperty('HANDRAIL_HOST_ONLY');
      expect(pid).not.toBe(process.pid);
    } finally {
      delete process.env.HANDRAIL_HOST_ONLY;
    }
  });

  it('rejects with an Error named after the errorType, for a promise or a callback', async () => {
    const thrower = asset('thrower', `class DeliveryFailed extends Error { name = 'DeliveryFailed' } export const handler = async () => { throw new DeliveryFailed('no'); };`);
    const callback = asset('callback', `export const handler = (event, context, done) => { setTimeout(() => event.fail ? done(new RangeError('bad')) : done(null, { ok: true }), 5); };`);
    const h = start(thrower, callback);
    await expect(h.invoke(thrower.arn, {})).rejects.toMatchObject({ name: 'DeliveryFailed', message: JSON.stringify({ errorType: 'DeliveryFailed', errorMessage: 'no' }) });
    await expect(h.invoke(callback.arn, {})).resolves.toEqual({ ok: true });
    await expect(h.invoke(callback.arn, { fail: true })).rejects.toMatchObject({ name: 'RangeError' });
    expect(h.list().map((e) => e.starts)).toEqual([1, 1]);
  });

  it('stops a function at its timeout and starts a new environment for the next invocation', async () => {
    const slow = asset('slow', `export const handler = async (event) => { await new Promise((r) => setTimeout(r, event.ms)); return process.pid; };`, 1);
    const h = start(slow);
    const before = await h.invoke(slow.arn, { ms: 1 });
    await expect(h.invoke(slow.arn, { ms: 5_000 })).rejects.toMatchObject({ name: 'Sandbox.Timedout', message: expect.stringContaining('Task timed out after 1.00 seconds') });
    const after = await h.invoke(slow.arn, { ms: 1 });
    expect(after).not.toBe(before);
    expect(h.list()[0]).toMatchObject({ starts: 2, invocations: 3 });
  });

  it('reports a process that dies as Runtime.ExitError, with its last output', async () => {
    const crash = asset('crash', `export const handler = async (event) => { if (event.exit) { console.error('going down'); process.exit(3); } return 'fine'; };`);
    const h = start(crash);
    await expect(h.invoke(crash.arn, { exit: true })).rejects.toMatchObject({ name: 'Runtime.ExitError', message: expect.stringMatching(/exit status 3.*going down/) });
    await expect(h.invoke(crash.arn, {})).resolves.toBe('fine');
  });

  it.each([
    ['a module that throws as it loads', `throw new TypeError('bad config');`, 'TypeError'],
    ['a module without the handler', `export const other = 1;`, 'Runtime.HandlerNotFound'],
    ['a module importing a package the bundle lacks', `import 'not-bundled-package'; export const handler = async () => 1;`, 'Runtime.ImportModuleError'],
  ])('fails the invocation for %s, and tries a new environment next time', async (name, code, errorType) => {
    const broken = asset(name.replaceAll(' ', '-'), code);
    const h = start(broken);
    await expect(h.invoke(broken.arn, {})).rejects.toMatchObject({ name: errorType });
    await expect(h.invoke(broken.arn, {})).rejects.toMatchObject({ name: errorType });
    expect(h.list()[0]!.starts).toBe(2);
  });

  it('refuses payloads over 6 MB and unknown functions', async () => {
    const h = start(echo);
    await expect(h.invoke(echo.arn, { big: 'x'.repeat(6 * 1024 * 1024) })).rejects.toMatchObject({ name: 'RequestEntityTooLargeException' });
    await expect(h.invoke(`${echo.arn}-nope`, {})).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(h.list()[0]!.starts).toBe(0);
  });
});
