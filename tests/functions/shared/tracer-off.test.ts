/**
 * The tracer where the local runtime runs the handlers (functions/shared/tracer.ts): one process
 * for every function, no Lambda execution environment, no X-Ray daemon. It is off, hands each SDK
 * client back untouched, and an invocation prints no warning about missing segments.
 */
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { bedrockClient, documentClient, s3Client, secretsClient, sfnClient } from '../../../functions/shared/aws-clients.js';
import { stepHandler } from '../../../functions/shared/lambda-handler.js';
import { traced, tracer } from '../../../functions/shared/tracer.js';
import { lambdaContext } from '../../support/xray-daemon.js';

vi.hoisted(() => {
  // As the local runtime's process: not a Lambda execution environment.
  delete process.env.AWS_EXECUTION_ENV;
  delete process.env.LAMBDA_TASK_ROOT;
});
afterEach(() => vi.restoreAllMocks());

describe('the tracer outside Lambda', () => {
  it('is not loaded, and leaves the SDK clients as they are', () => {
    // Not loaded: the X-Ray SDK's context would hook every promise of the process (~15× dearer awaits).
    expect(tracer).toBeUndefined();
    expect(Object.keys(createRequire(import.meta.url).cache).filter((m) => m.includes('aws-xray-sdk-core'))).toEqual([]);
    const client = { middlewareStack: { add: () => undefined } };
    expect(traced(client)).toBe(client);
    for (const c of [documentClient(), s3Client(), sfnClient(), bedrockClient(), secretsClient()]) {
      expect(c.middlewareStack.identify().filter((m) => m.startsWith('XRaySDKInstrumentation'))).toEqual([]);
    }
  });

  it('runs a step invocation without a word about segments', async () => {
    const warn = vi.spyOn(console, 'warn');
    const error = vi.spyOn(console, 'error');
    const invoke = stepHandler(z.object({}).passthrough(), async () => ({ ok: true }));
    await expect(invoke({ state: { run: { runId: 'run-1', workflowId: 'support-reply' } }, step: { id: 'draft' } }, lambdaContext())).resolves.toEqual({ ok: true });
    expect(warn).not.toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();
  });
});
