/**
 * Zendesk webhook signatures (developer.zendesk.com/documentation/webhooks/verifying):
 * `X-Zendesk-Webhook-Signature: base64(HMAC-SHA256(secret, timestamp + body))` with the timestamp
 * in `X-Zendesk-Webhook-Signature-Timestamp` (ISO 8601, UTC). The secret is the webhook's signing
 * secret as Zendesk shows it (Admin Center → Webhooks → the webhook → Reveal secret), used as text.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../shared/errors.js';
import { WEBHOOK_TOLERANCE_SECONDS } from './standard-webhooks.js';

export const ZENDESK_HEADERS = { signature: 'x-zendesk-webhook-signature', timestamp: 'x-zendesk-webhook-signature-timestamp' } as const;

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

export interface ZendeskSignedWebhook {
  readonly signature: string | undefined;
  readonly timestamp: string | undefined;
  readonly rawBody: string;
}

/** The signature Zendesk sends for `rawBody` at `timestamp`. */
export function zendeskSignature(secret: string, timestamp: string, rawBody: string): string {
  return createHmac('sha256', secret).update(`${timestamp}${rawBody}`).digest('base64');
}

/** The two headers Zendesk signs `rawBody` with now (or at `at`): what a test sender sends. */
export function zendeskSignedHeaders(secret: string, rawBody: string, at = new Date()): Record<string, string> {
  const timestamp = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return { [ZENDESK_HEADERS.signature]: zendeskSignature(secret, timestamp, rawBody), [ZENDESK_HEADERS.timestamp]: timestamp };
}

/** Signature (constant-time), then freshness (five minutes either way). @throws UnauthorizedError */
export function verifyZendeskSignature(secret: string, req: ZendeskSignedWebhook, now = Date.now()): void {
  if (!req.signature || !req.timestamp) throw new UnauthorizedError(`This webhook must be signed by Zendesk: send ${ZENDESK_HEADERS.signature} and ${ZENDESK_HEADERS.timestamp}`);
  if (!ISO_UTC.test(req.timestamp) || req.signature.length > 200) throw new UnauthorizedError(`${ZENDESK_HEADERS.timestamp} or ${ZENDESK_HEADERS.signature} is not valid`);
  const expected = Buffer.from(zendeskSignature(secret, req.timestamp, req.rawBody), 'base64');
  const given = Buffer.from(req.signature, 'base64');
  // Checked before the timestamp, so an unsigned caller learns nothing about our clock.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new UnauthorizedError(`${ZENDESK_HEADERS.signature} does not match this workflow's Zendesk signing secret`);
  if (Math.abs(now - Date.parse(req.timestamp)) > WEBHOOK_TOLERANCE_SECONDS * 1000) {
    throw new UnauthorizedError(`${ZENDESK_HEADERS.timestamp} is more than five minutes from now`);
  }
}
