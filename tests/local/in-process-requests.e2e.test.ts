/**
 * The local runtime hands its threads' DynamoDB requests to the emulator over ports, and the API's
 * Step Functions requests to the engine on its own thread, instead of loopback sockets
 * (local/in-process-requests.ts): a run from webhook to delivered makes no DynamoDB request over
 * HTTP, and a stopped runtime leaves no request handler installed for the next one.
 */
import { describe, expect, it } from 'vitest';
import { requestHandlerOption } from '../../functions/shared/aws-request-handlers.js';
import { InProcessRequestHandler } from '../../local/in-process-requests.js';
import { client, deliveringSuite, decideAs, pendingApprovalOf, waitForRun } from '../support/local-runtime.js';

const suite = deliveringSuite('SUPPORT_REPLY_URL');

describe('requests without sockets on the local runtime', () => {
  it('runs a ticket from webhook to delivered with every DynamoDB request over a port', async () => {
    expect(requestHandlerOption('dynamodb').requestHandler).toBeInstanceOf(InProcessRequestHandler);
    expect(requestHandlerOption('sfn').requestHandler).toBeInstanceOf(InProcessRequestHandler);
    const before = await suite.rt.emulators.dynamodbChannels();

    const started = await client(suite.rt).post('/webhooks/support-reply', { ticketId: 'T-900', subject: 'Refund for my annual plan', body: 'How do I get a refund?', customerEmail: 'pat@example.com' });
    expect(started.status).toBe(202);
    const approval = await pendingApprovalOf(suite.rt, started.body.runId);
    expect((await decideAs(suite.rt, approval, 'support-agent@example.com', { action: 'approve' })).status).toBe(200);
    await waitForRun(suite.rt, started.body.runId, ['delivered']);
    expect(suite.receiver.received).toHaveLength(1);

    const after = await suite.rt.emulators.dynamodbChannels();
    // The API's requests (this thread) and the steps' (the functions' thread) all came over ports.
    expect(after.port - before.port).toBeGreaterThan(8);
    expect(after.socket - before.socket).toBe(0);
  });

  it('leaves no request handler installed once stopped (and a second stop changes nothing)', async () => {
    await suite.rt.stop();
    await suite.rt.stop();
    expect(requestHandlerOption('dynamodb')).toEqual({});
    expect(requestHandlerOption('sfn')).toEqual({});
  });
});
