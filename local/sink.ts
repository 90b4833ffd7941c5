/**
 * A local webhook receiver for `deliver` steps (`POST /sink/{name}`), so the whole flow can be
 * tried without another service. It verifies the Standard Webhooks signature exactly as a receiver
 * should (the delivery key, five minutes' tolerance), ignores repeated Idempotency-Keys, and lists the newest 1,000 that arrived at `GET /sink/{name}`
 * (every delivery is appended to `<data dir>/sink/{name}.jsonl`).
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { UnauthorizedError } from '../functions/shared/errors.js';
import { verifyWebhookSignature, WEBHOOK_HEADERS } from '../functions/triggers/standard-webhooks.js';

export interface SinkDelivery {
  readonly receivedAt: string;
  readonly idempotencyKey: string | null;
  readonly body: unknown;
}

/** A receiver name: it names a file, so it is short and plain. */
const SINK_NAME = /^[A-Za-z0-9._-]{1,100}$/;

/** Deliveries listed by `GET /sink/{name}` (the newest), and Idempotency-Keys remembered to ignore repeats. */
const MAX_LISTED = 1_000;
const MAX_KEYS = 100_000;

function remember(keys: Set<string>, key: string, max: number): void {
  keys.add(key);
  if (keys.size > max) keys.delete(keys.values().next().value as string); // the oldest
}

export function createSink(secret: string, dir: string) {
  mkdirSync(dir, { recursive: true });
  const received = new Map<string, SinkDelivery[]>();
  // Bounded, so a long-running runtime does not grow with every delivery (the .jsonl files keep all).
  const seenKeys = new Set<string>();
  const app = new Hono()
    .use('/:name', async (c, next) => {
      if (!SINK_NAME.test(c.req.param('name'))) return c.json({ error: { code: 'NotFound', message: 'No such receiver: a name is 1-100 letters, digits, ".", "_" or "-"' } }, 404);
      await next();
    })
    .post('/:name', async (c) => {
      const name = c.req.param('name');
      const raw = await c.req.text();
      try {
        verifyWebhookSignature(secret, { id: c.req.header(WEBHOOK_HEADERS.id), timestamp: c.req.header(WEBHOOK_HEADERS.timestamp), signature: c.req.header(WEBHOOK_HEADERS.signature), rawBody: raw });
      } catch (err) {
        if (!(err instanceof UnauthorizedError)) throw err;
        return c.json({ error: { code: 'UnauthorizedError', message: err.message } }, 401);
      }
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        return c.json({ error: { code: 'ValidationError', message: 'body: not valid JSON', field: 'body' } }, 400);
      }
      const key = c.req.header('idempotency-key') ?? null;
      if (key && seenKeys.has(`${name}\n${key}`)) return c.json({ ok: true, duplicate: true });
      if (key) remember(seenKeys, `${name}\n${key}`, MAX_KEYS);
      const delivery: SinkDelivery = { receivedAt: new Date().toISOString(), idempotencyKey: key, body };
      const list = received.get(name) ?? [];
      list.push(delivery);
      if (list.length > MAX_LISTED) list.shift();
      received.set(name, list);
      appendFileSync(join(dir, `${name.replace(/[^a-z0-9-]/gi, '_')}.jsonl`), `${JSON.stringify(delivery)}\n`);
      return c.json({ ok: true });
    })
    .get('/:name', (c) => c.json({ deliveries: received.get(c.req.param('name')) ?? [] }));
  return { app, received };
}
