/**
 * The local runtime hands its threads' DynamoDB requests to the emulator over ports, and the API's
 * Step Functions requests to the engine on its own thread, instead of loopback sockets
 * (local/in-process-requests.ts): a run from webhook to delivered makes no DynamoDB request over
 * HTTP, and a stopped runtime leaves no request handler installed for the next one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestHandlerOption } from '../../functions/shared/aws-request-handlers.js';
import { InProcessRequestHandler } from '../../local/in-process-requests.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { client, decideAs, pendingApprovalOf, startSignedReceiver, startTestRuntime, waitForRun } from '../support/local-runtime.js';

let rt: LocalRuntime;
let receiver: Awaited<ReturnType<typeof startSignedReceiver>>;

beforeAll(async () => {
  rt = await startTestRuntime();
  receiver = await startSignedReceiver(rt.deliverySecret);
  process.env.SUPPORT_REPLY_URL = receiver.url;
});

afterAll(async () => {
  await receiver?.close();
  await rt?.stop();
});

describe('requests without sockets on the local runtime', () => {
  it('runs a ticket from webhook to delivered with every DynamoDB request over a port', async () => {
    expect(requestHandlerOption('dynamodb').requestHandler).toBeInstanceOf(InProcessRequestHandler);
    expect(requestHandlerOption('sfn').requestHandler).toBeInstanceOf(InProcessRequestHandler);
    const before = await rt.emulators.dynamodbChannels();

    const started = await client(rt).post('/webhooks/support-reply', { ticketId: 'T-900', subject: 'Refund for my annual plan', body: 'How do I get a refund?', customerEmail: 'pat@example.com' });
    expect(started.status).toBe(202);
    const approval = await pendingApprovalOf(rt, started.body.runId);
    expect((await decideAs(rt, approval, 'support-agent@example.com', { action: 'approve' })).status).toBe(200);
    await waitForRun(rt, started.body.runId, ['delivered']);
    expect(receiver.received).toHaveLength(1);

    const after = await rt.emulators.dynamodbChannels();
    // The API's requests (this thread) and the steps' (the functions' thread) all came over ports.
    expect(after.port - before.port).toBeGreaterThan(8);
    expect(after.socket - before.socket).toBe(0);
  });

  it('leaves no request handler installed once stopped', async () => {
    await rt.stop();
    expect(requestHandlerOption('dynamodb')).toEqual({});
    expect(requestHandlerOption('sfn')).toEqual({});
    rt = undefined as unknown as LocalRuntime;
  });
});
