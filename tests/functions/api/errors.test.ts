/**
 * What failures leave in the logs: a 500 is logged at ERROR without link tokens or credentials; a
 * client that hangs up mid-request is logged at INFO and never as a failure of ours.
 */
import { request as httpRequest } from 'node:http';
import type { Hono } from 'hono';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { logger } from '../../../functions/shared/logger.js';
import { resetSigningSecret } from '../../../functions/shared/signing-secret.js';
import { captureLogs, type CapturedLogs } from '../../support/log-capture.js';
import { reviewToken, SECRET, servedOverHttp, storelessApp } from './app-env.js';

let app: Hono;
let logs: CapturedLogs;
beforeAll(async () => {
  app = await storelessApp();
  logger.setLogLevel('INFO');
});
beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => logs.restore());

describe('the 500 log line', () => {
  it('names the route with the link token redacted', async () => {
    // Prepare: the signing secret cannot be read, so the review page fails on our side.
    delete process.env.HANDRAIL_SIGNING_SECRET;
    resetSigningSecret();
    const token = reviewToken();
    try {
      // Act
      const res = await app.request(`/review/${token}`, { headers: { authorization: 'Bearer secret-reviewer-token' } });
      // Assess
      expect(res.status).toBe(500);
      // (The store is closed, so the request counter's failure is logged too; this is the request's own line.)
      const line = logs.lines.find((l) => l.level === 'ERROR' && l.message === 'request failed');
      expect(line).toMatchObject({ message: 'request failed', method: 'GET', path: '/review/<redacted>' });
      expect(logs.text()).not.toContain(token);
      expect(logs.text()).not.toContain(token.split('.')[1]);
    } finally {
      process.env.HANDRAIL_SIGNING_SECRET = SECRET;
      resetSigningSecret();
    }
  });
});

describe('the shared logger', () => {
  it('redacts link paths, bearer tokens, Slack signatures and credential fields wherever they appear', () => {
    // Act
    logger.error('something failed at /inbox/abc.def?x=1', {
      url: 'http://localhost:3000/review/eyJhIjoi.c2lnbmF0dXJl',
      headers: { authorization: 'Bearer dGhlLXRva2Vu.c2ln', 'x-slack-signature': 'v0=0123456789abcdef0123456789abcdef' },
      detail: 'signed v0=0123456789abcdef0123456789abcdef with Bearer abc.def',
      error: new Error('GET /review/eyJhIjoi.c2lnbmF0dXJl failed'),
    });
    // Assess
    const text = logs.text();
    for (const secret of ['abc.def', 'eyJhIjoi', 'c2lnbmF0dXJl', 'dGhlLXRva2Vu', '0123456789abcdef']) expect(text).not.toContain(secret);
    expect(text).toContain('/inbox/<redacted>');
    expect(text).toContain('/review/<redacted>');
    expect(logs.lines[0]).toMatchObject({ headers: { authorization: '<redacted>', 'x-slack-signature': '<redacted>' } });
  });
});

describe('a client that hangs up', () => {
  const served = servedOverHttp(() => app);

  it.each([
    ['with a Content-Length', { 'content-length': '100000' }],
    ['streaming (chunked)', {}],
  ])('while sending the body %s is logged at INFO, not as an error', async (_case, headers) => {
    // Act: half a body, then the connection closes.
    await new Promise<void>((done) => {
      const req = httpRequest({ host: '127.0.0.1', port: served.port(), method: 'POST', path: '/webhooks/quick-escalation', headers: { 'content-type': 'application/json', ...headers } });
      req.on('error', () => undefined);
      req.write(`{"subject":"${'a'.repeat(20_000)}`);
      setTimeout(() => {
        req.destroy();
        done();
      }, 100);
    });
    // Assess
    const line = await waitForLine(() => logs.lines.find((l) => l.message?.includes('client closed')));
    expect(line).toMatchObject({ level: 'INFO', path: '/webhooks/quick-escalation' });
    expect(logs.lines.filter((l) => l.level === 'ERROR')).toEqual([]);
  });
});

async function waitForLine<T>(probe: () => T | undefined): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const found = probe();
    if (found) return found;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('no such log line');
}
