/**
 * A stand-in for the X-Ray daemon Lambda runs beside a traced function: a UDP socket that collects
 * the segment documents the X-Ray SDK sends (`{"format":"json","version":1}` then the document),
 * plus what a test needs to run a handler as Lambda does with active tracing (besides its
 * environment, lambda-tracing-env.ts): a trace header per invocation, and a Lambda context.
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import type { Context } from 'aws-lambda';
import { tracer } from '../../functions/shared/tracer.js';

export interface XRayDocument {
  readonly name: string;
  readonly id: string;
  readonly trace_id: string;
  readonly parent_id?: string;
  readonly type?: string;
  readonly annotations?: Record<string, unknown>;
  readonly metadata?: unknown;
  readonly aws?: Record<string, unknown>;
  readonly error?: boolean;
  readonly fault?: boolean;
  readonly cause?: unknown;
  readonly [key: string]: unknown;
}

export interface FakeDaemon {
  /** Every document received so far, and the raw text of all of them. */
  readonly documents: XRayDocument[];
  raw(): string;
  /** Waits until `count` documents arrived (or `ms` passed), then returns them. */
  received(count: number, ms?: number): Promise<XRayDocument[]>;
  stop(): Promise<void>;
}

/** Listens on a free UDP port on loopback and points the X-Ray SDK (through the shared tracer) at it. */
export async function startFakeDaemon(): Promise<FakeDaemon> {
  const socket = createSocket('udp4');
  const raw: string[] = [];
  const documents: XRayDocument[] = [];
  socket.on('message', (message) => {
    const text = message.toString('utf8');
    raw.push(text);
    documents.push(JSON.parse(text.slice(text.indexOf('\n') + 1)) as XRayDocument);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  tracer!.provider.setDaemonAddress(`127.0.0.1:${(socket.address() as AddressInfo).port}`);
  return {
    documents,
    raw: () => raw.join('\n'),
    async received(count, ms = 2000) {
      const until = Date.now() + ms;
      while (documents.length < count && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      return documents;
    },
    stop: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** Sets Lambda's trace header for the next invocation (`sampled`: whether X-Ray records it); returns its root trace id. */
export function newTraceHeader(sampled: boolean): string {
  const root = `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  process.env._X_AMZN_TRACE_ID = `Root=${root};Parent=${randomBytes(8).toString('hex')};Sampled=${sampled ? 1 : 0}`;
  return root;
}

export const lambdaContext = (functionName = 'traced-function'): Context =>
  ({
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomBytes(16).toString('hex'),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'stream',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }) as Context;
