/**
 * Body limits are enforced while the body is read: a too-large Content-Length is refused without
 * reading a byte, a streamed body is read only up to the limit, and the 413 says what the limit is.
 */
import { Agent, request as httpRequest } from 'node:http';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_LIMITS } from '../../../functions/api/limits.js';
import { json, reviewToken, servedOverHttp, storelessApp } from './app-env.js';

let app: Hono;
beforeAll(async () => {
  app = await storelessApp();
});

/** A body that counts what the server pulls from it, endless unless `total` is given. */
function countingBody(chunk = 16 * 1024, total = Number.POSITIVE_INFINITY) {
  const state = { pulled: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.pulled >= total) return controller.close();
      state.pulled += chunk;
      controller.enqueue(new Uint8Array(chunk).fill(0x20));
    },
  });
  return { stream, state };
}

describe('body limits', () => {
  it('refuses a Content-Length over the limit with 413 before reading the body', async () => {
    // Prepare
    const body = countingBody();
    // Act
    const res = await app.request('/webhooks/quick-escalation', { method: 'POST', headers: { 'content-length': String(50 * 1024 * 1024) }, body: body.stream, duplex: 'half' } as RequestInit);
    // Assess
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: { code: 'PayloadTooLargeError', field: 'body', message: 'body: larger than 128 KB (131072 bytes), the most this route accepts' } });
    expect(body.state.pulled).toBeLessThanOrEqual(16 * 1024); // at most what the stream pre-buffered
  });

  it('stops reading a streamed body of unknown length at the limit', async () => {
    const body = countingBody();
    const res = await app.request('/approvals/run-abc.review.0/decision', { method: 'POST', headers: { 'transfer-encoding': 'chunked' }, body: body.stream, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    expect(body.state.pulled).toBeLessThan(BODY_LIMITS.default + 3 * 16 * 1024);
  });

  it('lets knowledge documents be larger than everything else, up to their own limit', async () => {
    const doc = JSON.stringify({ fileName: 'big.md', content: 'x'.repeat(300 * 1024), extra: 1 });
    const res = await app.request('/knowledge/support/documents', json(doc));
    expect(res.status).toBe(400); // past the body limit; refused for its unknown field instead
    expect(((await res.json()) as { error: { field: string } }).error.field).toBe('body.extra');
    const tooBig = await app.request('/knowledge/support/documents', json('"', { 'content-length': String(BODY_LIMITS.knowledge + 1) }));
    expect(tooBig.status).toBe(413);
    expect(await tooBig.text()).toContain('2 MB');
  });

  it('answers a too-large review form with a 413 page', async () => {
    const res = await app.request(`/review/${reviewToken()}`, { method: 'POST', headers: { 'content-length': String(BODY_LIMITS.default + 1) }, body: 'x' });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toContain('128 KB');
  });
});

describe('body limits over HTTP', () => {
  const served = servedOverHttp(() => app);

  /** Sends `size` bytes (zeros, from one reusable buffer) and resolves with the status once answered. */
  function upload(size: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: served.port(), method: 'POST', path: '/webhooks/quick-escalation', headers: { 'content-type': 'application/json', 'content-length': String(size) } });
      const chunk = Buffer.alloc(1024 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < size) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode!);
        req.destroy();
      });
      req.on('error', (err) => (sent > 0 ? undefined : reject(err)));
      pump();
    });
  }

  it('keeps a keep-alive connection usable after refusing a body it never read', async () => {
    // Prepare: one connection, reused.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const call = (method: string, path: string, body?: Buffer) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: served.port(), method, path, agent, timeout: 2000, headers: body ? { 'content-length': String(body.length) } : {} }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode!));
        });
        req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
        req.on('error', reject);
        req.end(body);
      });
    try {
      // Act: 100 KB refused before it is read (no credentials: 401), then a request on the same connection.
      const refused = await call('POST', '/approvals/not-an-id/decision', Buffer.alloc(100 * 1024, 0x20));
      const next = await call('GET', '/health');
      // Assess
      expect([refused, next]).toEqual([401, 200]);
    } finally {
      agent.destroy();
    }
  });

  it('closes the connection after a 413, so the client stops sending', async () => {
    const res = await fetch(`http://127.0.0.1:${served.port()}/webhooks/quick-escalation`, { method: 'POST', body: new Uint8Array(3 * 1024 * 1024) });
    expect(res.status).toBe(413);
    expect(res.headers.get('connection')).toBe('close');
    expect((await fetch(`http://127.0.0.1:${served.port()}/health`)).status).toBe(200);
  });

  it('answers eight concurrent 50 MB uploads with 413 without holding them in memory', async () => {
    // Prepare
    global.gc?.();
    const before = process.memoryUsage();
    // Act
    const started = Date.now();
    const statuses = await Promise.all(Array.from({ length: 8 }, () => upload(50 * 1024 * 1024)));
    // Assess
    expect(statuses).toEqual(Array(8).fill(413));
    expect(Date.now() - started).toBeLessThan(10_000);
    const grown = process.memoryUsage().arrayBuffers - before.arrayBuffers;
    expect(grown).toBeLessThan(64 * 1024 * 1024); // 8 × 50 MB buffered would be 400 MB
  });
});
