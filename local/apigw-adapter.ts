/**
 * The template's HTTP API, locally: a Node HTTP server that does what API Gateway does in front of
 * a Lambda proxy integration with payload format 2.0. Each request is matched against the
 * template's routes (apigw-routes.ts; none → API Gateway's 404 `{"message":"Not Found"}`), turned
 * into an APIGatewayProxyEventV2 (headers lowercased with repeats comma-joined, cookies apart,
 * query parameters, path parameters, request context, a binary body base64-encoded), and the
 * integration's function is invoked; its result is mapped back (status, headers, cookies as
 * Set-Cookie, a base64 body decoded, or the inferred 200 JSON response). Requests over API
 * Gateway's 10 MB payload limit get 413; a function error or a malformed result, 500.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { routeMatcher, type RouteMatch } from './apigw-routes.js';
import { listenLocally, readBodyUpTo } from './local-server.js';
import type { LambdaInvoker } from './lambda-host.js';
import { LOCAL_ACCOUNT, type LocalHttpRoute } from './template-reader.js';

/** API Gateway's maximum request payload for HTTP APIs. */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

export interface HttpApiOptions {
  readonly routes: readonly LocalHttpRoute[];
  readonly lambdas: LambdaInvoker;
  /** @default 127.0.0.1 */
  readonly host?: string;
  /** @default 0 (a free port) */
  readonly port?: number;
}

export interface HttpApi {
  readonly url: string;
  close(): Promise<void>;
}

/** Bodies API Gateway passes as text; every other content type (or none) arrives base64-encoded. */
const TEXT_BODY = /^(text\/[^;]+|application\/(json|xml|javascript)|application\/[^;]+\+(json|xml))\s*(;|$)/i;

export interface IncomingRequest {
  readonly method: string;
  /** The request target as sent: path and query string. */
  readonly url: string;
  readonly httpVersion: string;
  /** Name, value, name, value… as received. */
  readonly rawHeaders: readonly string[];
  readonly sourceIp: string;
  readonly body?: Buffer;
}

/** `12/Mar/2020:19:03:58 +0000`, API Gateway's `requestContext.time`. */
function requestTime(date: Date): string {
  const month = date.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${month}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

function joinRepeated(pairs: [string, string][]): Record<string, string> {
  const joined: Record<string, string> = {};
  for (const [name, value] of pairs) joined[name] = name in joined ? `${joined[name]},${value}` : value;
  return joined;
}

function decodeQuery(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** The payload format 2.0 event for `req` on the matched route. */
export function toEventV2(req: IncomingRequest, match: RouteMatch<LocalHttpRoute>, ids: { apiId: string; requestId: string; now: Date }): APIGatewayProxyEventV2 {
  const queryAt = req.url.indexOf('?');
  const rawPath = queryAt < 0 ? req.url : req.url.slice(0, queryAt);
  const rawQueryString = queryAt < 0 ? '' : req.url.slice(queryAt + 1);
  const pairs: [string, string][] = [];
  const cookies: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    const value = req.rawHeaders[i + 1]!;
    if (name === 'cookie') cookies.push(...value.split(';').map((c) => c.trim()).filter(Boolean));
    else pairs.push([name, value]);
  }
  const traceId = `Root=1-${Math.floor(ids.now.getTime() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  pairs.push(['x-forwarded-for', req.sourceIp], ['x-forwarded-proto', 'http'], ['x-amzn-trace-id', traceId]);
  const headers = joinRepeated(pairs);
  const query = rawQueryString
    .split('&')
    .filter(Boolean)
    .map((p): [string, string] => {
      const eq = p.indexOf('=');
      return eq < 0 ? [decodeQuery(p), ''] : [decodeQuery(p.slice(0, eq)), decodeQuery(p.slice(eq + 1))];
    });
  const domainName = headers.host ?? 'localhost';
  const text = TEXT_BODY.test(headers['content-type'] ?? '');
  const hasBody = req.body !== undefined && req.body.length > 0;
  return {
    version: '2.0',
    routeKey: match.route.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies.length ? { cookies } : {}),
    headers,
    ...(query.length ? { queryStringParameters: joinRepeated(query) } : {}),
    ...(match.pathParameters ? { pathParameters: match.pathParameters } : {}),
    requestContext: {
      accountId: LOCAL_ACCOUNT,
      apiId: ids.apiId,
      domainName,
      domainPrefix: domainName.split('.')[0]!,
      http: { method: req.method, path: rawPath, protocol: `HTTP/${req.httpVersion}`, sourceIp: req.sourceIp, userAgent: headers['user-agent'] ?? '' },
      requestId: ids.requestId,
      routeKey: match.route.routeKey,
      stage: '$default',
      time: requestTime(ids.now),
      timeEpoch: ids.now.getTime(),
    },
    ...(hasBody ? { body: text ? req.body!.toString('utf8') : req.body!.toString('base64') } : {}),
    isBase64Encoded: hasBody && !text,
  };
}

export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: [string, string][];
  readonly body: Buffer;
}

const json = (statusCode: number, body: unknown): HttpResponse => ({ statusCode, headers: [['content-type', 'application/json']], body: Buffer.from(JSON.stringify(body) ?? 'null') });

export const NOT_FOUND = json(404, { message: 'Not Found' });
export const TOO_LARGE = json(413, { message: 'Request Entity Too Large' });
export const INTERNAL_ERROR = json(500, { message: 'Internal Server Error' });

/**
 * What API Gateway sends for a function's result: its statusCode, headers (and multiValueHeaders),
 * cookies and body; or, for a result without statusCode, 200 with the result as JSON.
 */
export function fromResultV2(result: unknown): HttpResponse {
  if (!result || typeof result !== 'object' || !('statusCode' in result)) return json(200, result);
  const r = result as { statusCode: unknown; headers?: unknown; multiValueHeaders?: unknown; cookies?: unknown; body?: unknown; isBase64Encoded?: unknown };
  if (!Number.isInteger(r.statusCode) || (r.statusCode as number) < 100 || (r.statusCode as number) > 599) return INTERNAL_ERROR;
  if (r.body !== undefined && r.body !== null && typeof r.body !== 'string') return INTERNAL_ERROR;
  const headers: [string, string][] = [];
  for (const [name, value] of Object.entries((r.headers ?? {}) as Record<string, unknown>)) headers.push([name.toLowerCase(), String(value)]);
  for (const [name, values] of Object.entries((r.multiValueHeaders ?? {}) as Record<string, unknown>)) {
    for (const value of Array.isArray(values) ? values : [values]) headers.push([name.toLowerCase(), String(value)]);
  }
  for (const cookie of Array.isArray(r.cookies) ? r.cookies : []) headers.push(['set-cookie', String(cookie)]);
  const body = typeof r.body === 'string' ? Buffer.from(r.body, r.isBase64Encoded === true ? 'base64' : 'utf8') : Buffer.alloc(0);
  return { statusCode: r.statusCode as number, headers, body };
}

/** The request's body, unless it is over API Gateway's limit (then undefined, and nothing more is kept). */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  if (Number(req.headers['content-length'] ?? 0) > MAX_REQUEST_BYTES) {
    req.resume();
    return Promise.resolve(undefined);
  }
  return readBodyUpTo(req, MAX_REQUEST_BYTES);
}

function send(res: ServerResponse, response: HttpResponse, requestId: string): void {
  res.statusCode = response.statusCode;
  for (const [name, value] of response.headers) res.appendHeader(name, value);
  res.setHeader('apigw-requestid', requestId);
  res.end(response.body);
}

/**
 * @example
 * const api = await startHttpApi({ routes: reader.httpRoutes(), lambdas: bundles });
 * await fetch(`${api.url}/health`);
 */
export async function startHttpApi(options: HttpApiOptions): Promise<HttpApi> {
  const unsupported = options.routes.filter((r) => r.payloadFormatVersion !== '2.0');
  if (unsupported.length) throw new Error(`Routes ${unsupported.map((r) => r.routeKey).join(', ')} use payload format ${unsupported[0]!.payloadFormatVersion}; the local HTTP API speaks 2.0`);
  const match = routeMatcher(options.routes);
  const apiId = randomBytes(5).toString('hex');

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const requestId = randomBytes(10).toString('base64').replace(/=+$/, '=');
    const now = new Date();
    const body = await readBody(req);
    if (body === undefined) {
      res.setHeader('connection', 'close');
      return send(res, TOO_LARGE, requestId);
    }
    const route = match(req.method ?? 'GET', (req.url ?? '/').split('?')[0]!);
    if (!route) return send(res, NOT_FOUND, requestId);
    const event = toEventV2(
      { method: req.method ?? 'GET', url: req.url ?? '/', httpVersion: req.httpVersion, rawHeaders: req.rawHeaders, sourceIp: req.socket.remoteAddress ?? '127.0.0.1', body },
      route,
      { apiId, requestId, now },
    );
    let response: HttpResponse;
    try {
      response = fromResultV2(await options.lambdas.invoke(route.route.functionArn, event));
    } catch {
      response = INTERNAL_ERROR; // the function failed (its error is in its log): API Gateway says no more
    }
    send(res, response, requestId);
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, INTERNAL_ERROR, '');
      else res.destroy(err as Error);
    });
  });
  return listenLocally(server, { host: options.host, port: options.port });
}
