/**
 * An HTTP endpoint speaking the Step Functions AWS JSON 1.0 protocol, so the real
 * `@aws-sdk/client-sfn` (endpoint option or AWS_ENDPOINT_URL_SFN) talks to the local engine; the
 * same answers without a socket for a client on the engine's own thread (`sfnExchange`).
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { Exchange, WireReply } from '../in-process-requests.js';
import type { LocalStepFunctions } from './engine.js';
import { SfnServiceError } from './errors.js';
import { operations } from './protocol.js';
import { listenLocally, readBodyUpTo } from '../local-server.js';

export interface SfnEndpointOptions {
  readonly host?: string;
  readonly port?: number;
}

export interface SfnEndpoint {
  readonly url: string;
  close(): Promise<void>;
}

const TARGET_PREFIX = 'AWSStepFunctions.';
const MAX_BODY_BYTES = 8 * 1024 * 1024;
// The SDK reads the exception name after '#'; the prefixes mirror what the real service sends.
const SERVICE_PREFIX = 'com.amazonaws.swf.service.v2.model#';
const CORAL_PREFIX = 'com.amazon.coral.service#';

class ProtocolError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** Timestamps go out as epoch seconds. `this[key]` is the raw value, before Date#toJSON ran. */
function serialize(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, json: unknown) {
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() / 1000 : json;
  });
}

/** The operation a request names (its X-Amz-Target), called with its JSON body. */
async function handle(engine: LocalStepFunctions, method: string | undefined, target: string | string[] | undefined, text: string | undefined): Promise<unknown> {
  const name = typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
  const operation = method === 'POST' && name !== undefined && Object.hasOwn(operations, name) ? operations[name] : undefined;
  if (!operation) {
    throw new ProtocolError(400, `${CORAL_PREFIX}UnknownOperationException`, `Unknown operation: ${String(target ?? method)}`);
  }
  if (text === undefined) throw new ProtocolError(413, `${CORAL_PREFIX}SerializationException`, 'Request body too large');
  let body: unknown = {};
  if (text.trim() !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      throw new ProtocolError(400, `${CORAL_PREFIX}SerializationException`, 'Request body is not valid JSON');
    }
  }
  return operation(engine, body);
}

/** A status and body as the endpoint sends them (JSON, timestamps in epoch seconds). */
function reply(status: number, payload: unknown): WireReply {
  const body = serialize(payload);
  return {
    statusCode: status,
    headers: { 'content-type': 'application/x-amz-json-1.0', 'content-length': String(Buffer.byteLength(body)), 'x-amzn-requestid': randomUUID() },
    body,
  };
}

/** An operation's error as the service names it. */
function errorReply(err: unknown): WireReply {
  if (err instanceof SfnServiceError) {
    const prefix = err.code === 'ValidationException' ? 'com.amazon.coral.validate#' : SERVICE_PREFIX;
    return reply(400, { __type: `${prefix}${err.code}`, message: err.message });
  }
  if (err instanceof ProtocolError) return reply(err.status, { __type: err.type, message: err.message });
  return reply(500, { __type: `${CORAL_PREFIX}InternalFailure`, message: err instanceof Error ? err.message : String(err) });
}

/** The endpoint's answer to a request: the operation's result, or its error. */
function answer(engine: LocalStepFunctions, method: string | undefined, target: string | string[] | undefined, text: string | undefined): Promise<WireReply> {
  return handle(engine, method, target, text).then((value) => reply(200, value ?? {}), errorReply);
}

/** The endpoint's answers for a client on this thread, without a socket (in-process-requests.ts). */
export function sfnExchange(engine: LocalStepFunctions): Exchange {
  return (request) => answer(engine, request.method, request.headers['x-amz-target'], Buffer.byteLength(request.body) > MAX_BODY_BYTES ? undefined : request.body);
}

export async function startSfnEndpoint(engine: LocalStepFunctions, { host = '127.0.0.1', port = 0 }: SfnEndpointOptions = {}): Promise<SfnEndpoint> {
  const server = createServer((req, res) => {
    readBodyUpTo(req, MAX_BODY_BYTES)
      .then((body) => answer(engine, req.method, req.headers['x-amz-target'], body?.toString('utf8')))
      .then(
        ({ statusCode, headers, body }) => {
          res.writeHead(statusCode, headers);
          res.end(body);
        },
        () => res.destroy(), // the request broke off before its body ended: nobody to answer
      );
  });
  return listenLocally(server, { host, port });
}
