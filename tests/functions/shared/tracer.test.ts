/**
 * The tracer as it runs on Lambda with active tracing (functions/shared/tracer.ts): every AWS SDK
 * client the handlers create is captured (the SES client that sends approval emails too), an invocation is a `## index.handler` subsegment
 * annotated with its run, workflow and step, each SDK call a subsegment under it; what X-Ray
 * receives carries no response and no error message; an invocation Lambda does not sample sends
 * nothing. The segments are read from a stand-in for the X-Ray daemon (a UDP socket).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { sendEmail } from '../../../functions/notifications/email-send.js';
import { bedrockClient, documentClient, resetClients, s3Client, secretsClient, sfnClient } from '../../../functions/shared/aws-clients.js';
import { stepHandler } from '../../../functions/shared/lambda-handler.js';
import { tracer } from '../../../functions/shared/tracer.js';
import { lambdaContext, newTraceHeader, startFakeDaemon, type FakeDaemon, type XRayDocument } from '../../support/xray-daemon.js';

// Before anything loads the tracer: Lambda's environment, and the template's tracer settings.
await vi.hoisted(async () => {
  const { tracingLambdaEnvironment } = await import('../../support/lambda-tracing-env.js');
  const { TRACER_ENVIRONMENT } = await import('../../../functions/shared/env-names.js');
  delete process.env.POWERTOOLS_TRACE_ENABLED;
  Object.assign(process.env, tracingLambdaEnvironment, TRACER_ENVIRONMENT);
});

let daemon: FakeDaemon;
let aws: Server;
beforeAll(async () => {
  daemon = await startFakeDaemon();
  // One endpoint for DynamoDB (JSON protocol: GetItem of an absent item answers {}) and SES v2 (REST: SendEmail answers its MessageId).
  aws = createServer((req, res) =>
    req.url?.startsWith('/v2/email/outbound-emails')
      ? res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': 'req-2' }).end('{"MessageId":"m-1"}')
      : res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'req-1' }).end('{}'),
  );
  await new Promise<void>((r) => aws.listen(0, '127.0.0.1', r));
  process.env.AWS_ENDPOINT_URL_DYNAMODB = process.env.AWS_ENDPOINT_URL_SESV2 = `http://127.0.0.1:${(aws.address() as AddressInfo).port}`;
  resetClients();
});
afterAll(async () => {
  await daemon?.stop();
  aws?.close();
});
beforeEach(() => void daemon.documents.splice(0));

const stepEvent = { state: { run: { runId: 'run-7', workflowId: 'support-reply' } }, step: { id: 'draft' } };
const handler = (body: () => Promise<unknown>) => stepHandler(z.object({}).passthrough(), body);
const handlerSubsegment = (docs: XRayDocument[]) => docs.find((d) => d.name === '## index.handler');

describe('the tracer on Lambda', () => {
  it('is on, and captures every AWS SDK client the handlers create', () => {
    expect(tracer?.isTracingEnabled()).toBe(true);
    for (const client of [documentClient(), s3Client(), sfnClient(), bedrockClient(), secretsClient()]) {
      expect(client.middlewareStack.identify().some((m) => m.startsWith('XRaySDKInstrumentation'))).toBe(true);
    }
  });

  it('records a step invocation as a subsegment annotated with its run, workflow and step, and its SDK calls under it', async () => {
    // Prepare
    const root = newTraceHeader(true);
    const invoke = handler(async () => {
      await documentClient().send(new GetCommand({ TableName: 'handrail-runs', Key: { runId: 'run-7', sk: 'RUN' } }));
      return { draft: 'Dear Jane, your refund is on its way.' };
    });
    // Act
    await invoke(stepEvent, lambdaContext());
    const docs = await daemon.received(2);
    // Assess
    const own = handlerSubsegment(docs)!;
    expect(own).toBeDefined();
    expect(own.trace_id).toBe(root);
    expect(own.annotations).toEqual({ runId: 'run-7', workflowId: 'support-reply', stepId: 'draft', Service: 'handrail', ColdStart: true });
    const call = docs.find((d) => d.name === 'DynamoDB')!;
    expect(call).toMatchObject({ parent_id: own.id, trace_id: root, aws: { operation: 'GetItem', table_name: 'handrail-runs', request_id: 'req-1' } });
    // The response stays out of the trace (POWERTOOLS_TRACER_CAPTURE_RESPONSE=false).
    expect(daemon.raw()).not.toContain('refund');
  });

  it('records the approval emails SES sends, as a subsegment of the invocation', async () => {
    newTraceHeader(true);
    const invoke = handler(() => sendEmail({ transport: 'ses', from: 'approvals@example.com' }, { to: 'reviewer@example.com', subject: 'Approve', text: 'Please review', html: '<p>Please review</p>' }, []));
    await expect(invoke(stepEvent, lambdaContext())).resolves.toBe('m-1');
    const docs = await daemon.received(2);
    expect(docs.find((d) => d.name === 'SESv2')).toMatchObject({ parent_id: handlerSubsegment(docs)!.id, aws: { operation: 'SendEmail', request_id: 'req-2' } });
    expect(daemon.raw()).not.toContain('reviewer@example.com');
  });

  it('annotates what a handler names from its parsed event (the execution-status function: the run)', async () => {
    newTraceHeader(true);
    const invoke = stepHandler(z.object({ detail: z.object({ name: z.string() }) }), async () => ({}), { correlate: (e) => ({ runId: e.detail.name }) });
    await invoke({ detail: { name: 'run-8' } }, lambdaContext());
    expect(handlerSubsegment(await daemon.received(1))!.annotations).toMatchObject({ runId: 'run-8', ColdStart: false });
  });

  it('flags a failed invocation without its message or stack', async () => {
    newTraceHeader(true);
    const invoke = handler(async () => {
      throw new Error('the ticket of jane@example.com could not be drafted');
    });
    await expect(invoke(stepEvent, lambdaContext())).rejects.toThrow(/could not be drafted/);
    const own = handlerSubsegment(await daemon.received(1))!;
    expect(own.error || own.fault).toBe(true);
    expect(daemon.raw()).not.toMatch(/jane@example\.com|could not be drafted/);
  });

  it('sends nothing, and prints nothing, for an invocation X-Ray does not sample', async () => {
    newTraceHeader(false);
    const warn = vi.spyOn(console, 'warn');
    const error = vi.spyOn(console, 'error');
    const invoke = handler(async () => documentClient().send(new GetCommand({ TableName: 'handrail-runs', Key: { runId: 'run-7', sk: 'RUN' } })));
    await invoke(stepEvent, lambdaContext());
    expect(await daemon.received(1, 300)).toEqual([]);
    expect(warn).not.toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();
  });
});
