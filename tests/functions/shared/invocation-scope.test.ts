/**
 * Log lines name the function they come from, even when invocations of different functions overlap
 * in one process (the local runtime): each invocation runs in its own Lambda InvokeStore scope,
 * where Powertools keeps the Lambda context it logs.
 */
import type { Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApp } from '../../../functions/api/app.js';
import { enableConcurrentInvocations, inInvocationScope } from '../../../functions/shared/invocation-scope.js';
import { stepHandler } from '../../../functions/shared/lambda-handler.js';
import { logger } from '../../../functions/shared/logger.js';
import { startEmulatorEnv, type EmulatorEnv } from '../../support/emulator-env.js';
import { captureLogs, type CapturedLogs } from '../../support/log-capture.js';
import { throttleEnv, throttleTable } from '../../support/throttle-table.js';

const contextOf = (functionName: string, awsRequestId: string) =>
  ({ functionName, awsRequestId, invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`, memoryLimitInMB: '512', functionVersion: '$LATEST' }) as Context;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let logs: CapturedLogs;

let store: EmulatorEnv;
beforeAll(async () => {
  expect(await enableConcurrentInvocations()).toBe(true);
  // The API counts each request against its caller (the throttle table) before its handler runs.
  store = await startEmulatorEnv({ name: 'invocation-scope', env: throttleEnv, tables: [throttleTable] });
  process.env.SLACK_SIGNING_SECRET = 'invocation-scope-test';
});
afterAll(() => store?.stop());
afterEach(() => logs?.restore());

describe('invocation scopes', () => {
  it('keep the API function and a step function apart while their invocations overlap', async () => {
    // Prepare: a step that logs after the API request has come and gone.
    const generate = stepHandler(z.object({}), async () => {
      await sleep(60);
      logger.warn('step line');
      return null;
    });
    const app = createApp();
    logs = captureLogs();
    // Act: as the local host runs them, each invocation in its own scope.
    await Promise.all([
      inInvocationScope('step-1', () => generate({}, contextOf('StepsGenerateFunction', 'step-1'))),
      inInvocationScope('api-1', async () => {
        await sleep(10);
        // An unsigned Slack request: the API logs a warning and answers 401.
        const res = await app.fetch(new Request('http://localhost/slack/interactions', { method: 'POST', body: 'payload={}' }), { lambdaContext: contextOf('ApiFunction', 'api-1') });
        expect(res.status).toBe(401);
      }),
    ]);
    // Assess
    const byMessage = Object.fromEntries(logs.lines.map((l) => [l.message, l]));
    expect(byMessage['Slack request refused']).toMatchObject({ function_name: 'ApiFunction', function_request_id: 'api-1' });
    expect(byMessage['step line']).toMatchObject({ function_name: 'StepsGenerateFunction', function_request_id: 'step-1' });
  });

  it('give concurrent invocations of one function their own request ids', async () => {
    const handler = stepHandler(z.object({ wait: z.number() }), async ({ wait }) => {
      await sleep(wait);
      logger.warn('done', { wait });
      return null;
    });
    logs = captureLogs();
    await Promise.all([30, 5].map((wait, i) => inInvocationScope(`r${i}`, () => handler({ wait }, contextOf('StepsDeliverFunction', `r${i}`)))));
    expect(logs.lines.map((l) => [l.wait, l.function_request_id]).sort()).toEqual([
      [30, 'r0'],
      [5, 'r1'],
    ]);
  });
});
