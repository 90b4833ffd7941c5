/**
 * An HTTP endpoint speaking the Step Functions AWS JSON 1.0 protocol, so the real
 * `@aws-sdk/client-sfn` (endpoint option or AWS_ENDPOINT_URL_SFN) talks to the local engine.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
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

async function readBody(req: IncomingMessage): Promise<string> {
  const body = await readBodyUpTo(req, MAX_BODY_BYTES);
  if (!body) throw new ProtocolError(413, `${CORAL_PREFIX}SerializationException`, 'Request body too large');
  return body.toString('utf8');
}

async function handle(engine: LocalStepFunctions, req: IncomingMessage): Promise<unknown> {
  const target = req.headers['x-amz-target'];
  const name = typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
  const operation = req.method === 'POST' && name !== undefined && Object.hasOwn(operations, name) ? operations[name] : undefined;
  if (!operation) {
    throw new ProtocolError(400, `${CORAL_PREFIX}UnknownOperationException`, `Unknown operation: ${String(target ?? req.method)}`);
  }
  const text = await readBody(req);
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

function send(res: ServerResponse, status: number, payload: unknown): void {
  const body = serialize(payload);
  res.writeHead(status, {
    'Content-Type': 'application/x-amz-json-1.0',
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': randomUUID(),
  });
  res.end(body);
}

function sendError(res: ServerResponse, err: unknown): void {
  if (err instanceof SfnServiceError) {
    const prefix = err.code === 'ValidationException' ? 'com.amazon.coral.validate#' : SERVICE_PREFIX;
    send(res, 400, { __type: `${prefix}${err.code}`, message: err.message });
  } else if (err instanceof ProtocolError) {
    send(res, err.status, { __type: err.type, message: err.message });
  } else {
    send(res, 500, { __type: `${CORAL_PREFIX}InternalFailure`, message: err instanceof Error ? err.message : String(err) });
  }
}

export async function startSfnEndpoint(engine: LocalStepFunctions, { host = '127.0.0.1', port = 0 }: SfnEndpointOptions = {}): Promise<SfnEndpoint> {
  const server = createServer((req, res) => {
    handle(engine, req).then(
      (result) => send(res, 200, result ?? {}),
      (err: unknown) => sendError(res, err),
    );
  });
  return listenLocally(server, { host, port });
}
