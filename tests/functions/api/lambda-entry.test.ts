/**
 * The HTTP API's Lambda entry (functions/api/lambda-entry.ts) as it runs on Lambda with active
 * tracing: each request is a `## index.handler` subsegment annotated with API Gateway's route
 * template and the run or workflow its path names (never the path itself: a review link's token is
 * a credential), and the app still answers as `hono/aws-lambda` makes it.
 */
import { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { httpHandler, routeAnnotations } from '../../../functions/api/lambda-entry.js';
import { lambdaContext, newTraceHeader, startFakeDaemon, type FakeDaemon } from '../../support/xray-daemon.js';

await vi.hoisted(async () => {
  const { tracingLambdaEnvironment } = await import('../../support/lambda-tracing-env.js');
  const { TRACER_ENVIRONMENT } = await import('../../../functions/shared/env-names.js');
  delete process.env.POWERTOOLS_TRACE_ENABLED;
  Object.assign(process.env, tracingLambdaEnvironment, TRACER_ENVIRONMENT);
});

/** An API Gateway HTTP API (payload 2.0) event for `routeKey`, with the request path `path`. */
function apiEvent(routeKey: string, path: string, pathParameters?: Record<string, string>) {
  const [method] = routeKey.split(' ');
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: { host: 'api.example.com' },
    requestContext: { http: { method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' }, domainName: 'api.example.com', stage: '$default', requestId: 'r', routeKey, accountId: '000000000000', apiId: 'api', time: '', timeEpoch: 0 },
    isBase64Encoded: false,
    ...(pathParameters ? { pathParameters } : {}),
  };
}

const app = new Hono();
app.get('/runs/:runId', (c) => c.json({ runId: c.req.param('runId') }));
app.get('/review/:token', (c) => c.text('review page'));
const handler = httpHandler(app);

let daemon: FakeDaemon;
beforeAll(async () => (daemon = await startFakeDaemon()));
afterAll(() => daemon?.stop());
beforeEach(() => void daemon.documents.splice(0));

describe('the HTTP API entry, traced', () => {
  it('annotates a request with its route and the run it names, and answers as the app does', async () => {
    newTraceHeader(true);
    const res = await handler(apiEvent('GET /runs/{runId}', '/runs/run-9', { runId: 'run-9' }) as never, lambdaContext('ApiFunction'));
    expect(res).toMatchObject({ statusCode: 200, body: JSON.stringify({ runId: 'run-9' }) });
    const own = (await daemon.received(1)).find((d) => d.name === '## index.handler');
    expect(own?.annotations).toMatchObject({ route: 'GET /runs/{runId}', runId: 'run-9', Service: 'handrail' });
  });

  it("records a review link's route template, never its token", async () => {
    newTraceHeader(true);
    const token = 'eyJhbGciOiJIUzI1NiJ9.secret-link-token';
    const res = await handler(apiEvent('GET /review/{token}', `/review/${token}`, { token }) as never, lambdaContext('ApiFunction'));
    expect(res).toMatchObject({ statusCode: 200, body: 'review page' });
    const own = (await daemon.received(1)).find((d) => d.name === '## index.handler');
    expect(own?.annotations).toMatchObject({ route: 'GET /review/{token}' });
    expect(daemon.raw()).not.toContain('secret-link-token');
  });

  it.each([
    [{ routeKey: 'POST /webhooks/{workflowId}', pathParameters: { workflowId: 'support-reply' } }, { route: 'POST /webhooks/{workflowId}', workflowId: 'support-reply' }],
    [{ routeKey: '$default' }, { route: '$default' }],
    [{}, {}],
    [undefined, {}],
  ])('annotations of %j: %j', (event, expected) => {
    expect(routeAnnotations(event)).toEqual(expected);
  });
});
