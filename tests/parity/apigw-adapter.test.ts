/**
 * The API Gateway HTTP API adapter (local/apigw-adapter.ts): route selection, the payload format
 * 2.0 event it builds, and how it maps a function's result back, including through Hono's own
 * `hono/aws-lambda` handler (what the API bundle runs).
 */
import { request } from 'node:http';
import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_REQUEST_BYTES, startHttpApi, type HttpApi } from '../../local/apigw-adapter.js';
import { routeMatcher } from '../../local/apigw-routes.js';

const ARN = 'arn:aws:lambda:us-east-1:000000000000:function:Api';
const routes = (...keys: string[]) => keys.map((routeKey) => ({ routeKey, functionArn: ARN, payloadFormatVersion: '2.0' }));

let api: HttpApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

/** An API whose function records its events and answers `result` (or throws it, if an Error). */
async function recording(result: unknown, keys = ['GET /runs/{runId}', 'POST /forms', 'POST /webhooks/{workflowId}']) {
  const events: APIGatewayProxyEventV2[] = [];
  api = await startHttpApi({
    routes: routes(...keys),
    lambdas: {
      invoke: async (_arn, event) => {
        events.push(event as APIGatewayProxyEventV2);
        if (result instanceof Error) throw result;
        return result;
      },
    },
  });
  return { url: api.url, events };
}

/** A GET with repeated headers exactly as given (fetch would combine them before sending). */
function rawGet(url: string, rawHeaders: string[]): Promise<{ status: number; requestId: string }> {
  return new Promise((resolve, reject) => {
    request(url, { headers: ['Host', new URL(url).host, ...rawHeaders] }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, requestId: String(res.headers['apigw-requestid']) }));
    })
      .on('error', reject)
      .end();
  });
}

describe('route selection', () => {
  const match = routeMatcher(routes('GET /runs', 'GET /runs/{runId}', 'GET /runs/latest', 'ANY /runs/{runId}', 'GET /files/{path+}', '$default'));

  it.each([
    ['GET', '/runs', 'GET /runs', undefined],
    ['GET', '/runs/latest', 'GET /runs/latest', undefined],
    ['GET', '/runs/r%201', 'GET /runs/{runId}', { runId: 'r 1' }],
    ['DELETE', '/runs/r1', 'ANY /runs/{runId}', { runId: 'r1' }],
    ['GET', '/files/a/b/c.md', 'GET /files/{path+}', { path: 'a/b/c.md' }],
    ['POST', '/elsewhere', '$default', undefined],
  ])('%s %s → %s', (method, path, routeKey, pathParameters) => {
    expect(match(method, path)).toEqual({ route: expect.objectContaining({ routeKey }), ...(pathParameters ? { pathParameters } : {}) });
  });

  it('matches nothing without $default when no route fits', () => {
    const strict = routeMatcher(routes('GET /runs/{runId}'));
    expect(strict('GET', '/runs')).toBeUndefined();
    expect(strict('GET', '/runs/a/b')).toBeUndefined();
    expect(strict('POST', '/runs/a')).toBeUndefined();
  });
});

describe('the payload format 2.0 event', () => {
  it('carries path, query, headers, cookies, path parameters and the request context', async () => {
    // Prepare
    const { url, events } = await recording({ statusCode: 204 });
    // Act
    const res = await rawGet(`${url}/runs/r%201?status=a&status=b&empty=`, ['X-Custom', 'one', 'X-Custom', 'two', 'Cookie', 'a=1; b=2', 'Cookie', 'c=3', 'User-Agent', 'parity/1']);
    // Assess
    expect(res.status).toBe(204);
    const event = events[0]!;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /runs/{runId}',
      rawPath: '/runs/r%201',
      rawQueryString: 'status=a&status=b&empty=',
      cookies: ['a=1', 'b=2', 'c=3'],
      queryStringParameters: { status: 'a,b', empty: '' },
      pathParameters: { runId: 'r 1' },
      isBase64Encoded: false,
      requestContext: {
        routeKey: 'GET /runs/{runId}',
        stage: '$default',
        requestId: res.requestId,
        http: { method: 'GET', path: '/runs/r%201', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'parity/1' },
      },
    });
    expect(event.headers).toMatchObject({ 'x-custom': 'one,two', 'user-agent': 'parity/1', 'x-forwarded-for': '127.0.0.1' });
    expect(event.headers).not.toHaveProperty('cookie');
    expect(event).not.toHaveProperty('body');
    expect(event.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(Math.abs(event.requestContext.timeEpoch - Date.now())).toBeLessThan(5_000);
  });

  it.each([
    ['application/json', '{"a":1}', false],
    ['text/plain; charset=utf-8', 'hello', false],
    ['application/x-www-form-urlencoded', 'action=approve', true],
    ['application/octet-stream', '\u0000\u00ff', true],
  ])('passes a %s body as text or base64 (%s)', async (contentType, body, base64) => {
    const { url, events } = await recording({ statusCode: 200 });
    await fetch(`${url}/forms`, { method: 'POST', headers: { 'content-type': contentType }, body });
    const event = events[0]!;
    expect(event.isBase64Encoded).toBe(base64);
    expect(base64 ? Buffer.from(event.body!, 'base64').toString('utf8') : event.body).toBe(body);
  });
});

describe('the response', () => {
  it('maps status, headers, multi-value headers, cookies and a base64 body', async () => {
    const { url } = await recording({
      statusCode: 201,
      headers: { 'X-One': 'a', 'Content-Type': 'application/octet-stream' },
      multiValueHeaders: { 'x-many': ['1', '2'] },
      cookies: ['s=1; HttpOnly', 't=2'],
      body: Buffer.from([0, 1, 2, 255]).toString('base64'),
      isBase64Encoded: true,
    });
    const res = await fetch(`${url}/runs/x`);
    expect(res.status).toBe(201);
    expect(res.headers.get('x-one')).toBe('a');
    expect(res.headers.get('x-many')).toBe('1, 2');
    expect(res.headers.getSetCookie()).toEqual(['s=1; HttpOnly', 't=2']);
    expect([...new Uint8Array(await res.arrayBuffer())]).toEqual([0, 1, 2, 255]);
  });

  it('infers 200 JSON from a result without statusCode', async () => {
    const { url } = await recording({ hello: 'world' });
    const res = await fetch(`${url}/runs/x`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ hello: 'world' });
  });

  it.each([
    ['a function error', new Error('boom')],
    ['a result with a bad status code', { statusCode: 'two hundred' }],
    ['a result whose body is not a string', { statusCode: 200, body: { a: 1 } }],
  ])('answers 500 for %s', async (_case, result) => {
    const { url } = await recording(result);
    const res = await fetch(`${url}/runs/x`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ message: 'Internal Server Error' });
  });

  it("answers API Gateway's 404 and 413 without invoking the function", async () => {
    const { url, events } = await recording({ statusCode: 200 });
    const missing = await fetch(`${url}/nowhere`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ message: 'Not Found' });
    const large = await fetch(`${url}/forms`, { method: 'POST', body: Buffer.alloc(MAX_REQUEST_BYTES + 1) });
    expect(large.status).toBe(413);
    expect(await large.json()).toEqual({ message: 'Request Entity Too Large' });
    const atLimit = await fetch(`${url}/forms`, { method: 'POST', body: Buffer.alloc(MAX_REQUEST_BYTES) });
    expect(atLimit.status).toBe(200);
    expect(events).toHaveLength(1);
  });
});

describe('with hono/aws-lambda (what the API bundle runs)', () => {
  it('round-trips path parameters, cookies, form bodies and Set-Cookie', async () => {
    const app = new Hono()
      .get('/runs/:runId', (c) => c.json({ runId: c.req.param('runId'), cookie: c.req.header('cookie'), q: c.req.queries('status') }))
      .post('/forms', async (c) => {
        c.header('set-cookie', 'a=1', { append: true });
        c.header('set-cookie', 'b=2', { append: true });
        return c.json(await c.req.parseBody());
      });
    const handler = handle(app);
    api = await startHttpApi({ routes: routes('GET /runs/{runId}', 'POST /forms'), lambdas: { invoke: (_arn, event) => handler(event as Parameters<typeof handler>[0], {} as Context) } });

    const run = await fetch(`${api.url}/runs/r-1?status=a&status=b`, { headers: { cookie: 'x=1; y=2' } });
    expect(await run.json()).toEqual({ runId: 'r-1', cookie: 'x=1; y=2', q: ['a', 'b'] });
    const form = await fetch(`${api.url}/forms`, { method: 'POST', body: new URLSearchParams({ action: 'approve', text: 'héllo' }) });
    expect(await form.json()).toEqual({ action: 'approve', text: 'héllo' });
    expect(form.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
  });
});
