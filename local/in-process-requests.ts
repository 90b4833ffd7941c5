/**
 * An AWS SDK request handler that hands each request to a service in this process instead of
 * sending it over a socket: the local runtime's DynamoDB (on the emulators' thread:
 * emulator-transport.ts) and its Step Functions endpoint (on this thread: stepfunctions/endpoint.ts).
 * The client is the one every handler uses (functions/shared/aws-clients.ts): it builds, signs and
 * serializes each request and parses, checks and deserializes each response as it does against
 * AWS, and the service answers it with the same code its HTTP server runs. What is skipped is the
 * socket and the HTTP framing on both sides — about a third of a request's cost (`npm run bench`).
 * The HTTP endpoints stay up for everything else (the CLI, the AWS CLI, other tools).
 */
import { type HttpRequest, HttpResponse } from '@smithy/core/transport';
import type { RequestHandler } from '../functions/shared/aws-request-handlers.js';

/** A request as the service reads it: what its HTTP server would have parsed. */
export interface WireRequest {
  readonly method: string;
  /** Path and query string. */
  readonly url: string;
  /** Header names in lower case, as Node's HTTP server gives them. */
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** The service's answer, as its HTTP server would have sent it. */
export interface WireReply {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Where a request goes and its answer comes from. */
export type Exchange = (request: WireRequest) => Promise<WireReply>;

/** The request as the service reads it. A streamed body (S3 uploads) is not for this handler. */
export function wireRequest(request: HttpRequest): WireRequest {
  const body = request.body as unknown;
  if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
    throw new Error('An in-process request takes its body as a string or bytes, not a stream');
  }
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(request.query ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) if (v !== null && v !== undefined) query.append(name, v);
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  return {
    method: request.method,
    url: `${request.path || '/'}${query.size ? `?${query}` : ''}`,
    headers,
    body: body === undefined || body === null ? '' : typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'),
  };
}

/** An SDK client's request handler that hands its requests to `exchange`. */
export class InProcessRequestHandler implements Pick<Extract<RequestHandler, { handle: unknown }>, 'handle'> {
  readonly metadata = { handlerProtocol: 'http/1.1' };

  constructor(private readonly exchange: Exchange) {}

  async handle(request: HttpRequest, options?: { abortSignal?: { aborted: boolean } }): Promise<{ response: HttpResponse }> {
    if (options?.abortSignal?.aborted) throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    const reply = await this.exchange(wireRequest(request));
    return { response: new HttpResponse({ statusCode: reply.statusCode, reason: '', headers: reply.headers, body: Buffer.from(reply.body, 'utf8') }) };
  }

  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  /** A client destroyed: nothing of its own to free (what it hands requests to is the runtime's). */
  destroy(): void {}
}
