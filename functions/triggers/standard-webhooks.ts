/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): `webhook-id`, `webhook-timestamp`
 * (epoch seconds) and `webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`,
 * keyed with the secret's bytes (`whsec_<base64>`). The same form signs inbound webhooks (their
 * senders) and Handrail's outbound deliveries, so one verification snippet serves both.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../shared/errors.js';

/** How far a timestamp may be from now, either way. */
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;
export const WEBHOOK_HEADERS = { id: 'webhook-id', timestamp: 'webhook-timestamp', signature: 'webhook-signature' } as const;

export interface SignedWebhook {
  readonly id: string | undefined;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
  readonly rawBody: string;
}

function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}

/** The `webhook-signature` value for a message. */
export function webhookSignature(secret: string, id: string, timestamp: number | string, rawBody: string): string {
  return `v1,${createHmac('sha256', keyOf(secret)).update(`${id}.${timestamp}.${rawBody}`).digest('base64')}`;
}

/** The three headers that sign `rawBody` now (or at `at`, epoch seconds). */
export function signedWebhookHeaders(secret: string, id: string, rawBody: string, at = Math.floor(Date.now() / 1000)): Record<string, string> {
  return { [WEBHOOK_HEADERS.id]: id, [WEBHOOK_HEADERS.timestamp]: String(at), [WEBHOOK_HEADERS.signature]: webhookSignature(secret, id, at, rawBody) };
}

/** Signature (any of the space-separated `v1,` entries, compared in constant time), then freshness. @throws UnauthorizedError */
export function verifyWebhookSignature(secret: string, req: SignedWebhook, now = Date.now()): void {
  if (!req.id || !req.timestamp || !req.signature) throw new UnauthorizedError('This webhook must be signed: send webhook-id, webhook-timestamp and webhook-signature (Standard Webhooks; see README)');
  if (req.id.length > 256 || !/^\d{1,12}$/.test(req.timestamp)) throw new UnauthorizedError('webhook-id or webhook-timestamp is not valid');
  const expected = Buffer.from(webhookSignature(secret, req.id, req.timestamp, req.rawBody).slice('v1,'.length), 'base64');
  const matches = req.signature.split(' ').some((entry) => {
    const [version, value] = entry.split(',', 2);
    if (version !== 'v1' || !value) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  // Checked before the timestamp, so an unsigned caller learns nothing about our clock.
  if (!matches) throw new UnauthorizedError('webhook-signature does not match this workflow\'s secret');
  if (Math.abs(now / 1000 - Number(req.timestamp)) > WEBHOOK_TOLERANCE_SECONDS) throw new UnauthorizedError('webhook-timestamp is more than five minutes from now; sign each request when you send it');
}
