/**
 * HubSpot request signatures, v3 (developers.hubspot.com, Validating requests):
 * `X-HubSpot-Signature-v3: base64(HMAC-SHA256(clientSecret, method + uri + body + timestamp))`, with
 * the timestamp in `X-HubSpot-Request-Timestamp` (epoch milliseconds). `uri` is the full URL HubSpot
 * called (scheme, host, path and query), with the URL-encoded characters HubSpot's table lists
 * decoded. The secret is the HubSpot app's client secret, used as text. HubSpot asks to refuse a
 * timestamp older than five minutes; one more than five minutes ahead is refused too.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../shared/errors.js';
import { WEBHOOK_TOLERANCE_SECONDS } from './standard-webhooks.js';

export const HUBSPOT_HEADERS = { signature: 'x-hubspot-signature-v3', timestamp: 'x-hubspot-request-timestamp' } as const;

/** The escapes HubSpot decodes in the URI before signing (and only these: %20 and the like stay as sent). */
const DECODED: Readonly<Record<string, string>> = {
  '%3A': ':', '%2F': '/', '%3F': '?', '%40': '@', '%21': '!', '%24': '$', '%27': "'", '%28': '(', '%29': ')', '%2A': '*', '%2C': ',', '%3B': ';',
};

export interface HubspotSignedRequest {
  readonly method: string;
  /** The full URL as HubSpot called it, e.g. https://api.example.com/webhooks/sales-outreach */
  readonly url: string;
  readonly signature: string | undefined;
  readonly timestamp: string | undefined;
  readonly rawBody: string;
}

/** `url` as HubSpot signs it. */
export function hubspotSignedUri(url: string): string {
  return url.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (escape) => DECODED[escape.toUpperCase()]!);
}

/** The signature HubSpot sends for a request. */
export function hubspotSignature(secret: string, method: string, url: string, rawBody: string, timestamp: string): string {
  return createHmac('sha256', secret).update(`${method.toUpperCase()}${hubspotSignedUri(url)}${rawBody}${timestamp}`).digest('base64');
}

/** The two headers HubSpot signs a POST of `rawBody` to `url` with, now (or at `at`, epoch ms): what a test sender sends. */
export function hubspotSignedHeaders(secret: string, url: string, rawBody: string, at = Date.now()): Record<string, string> {
  const timestamp = String(at);
  return { [HUBSPOT_HEADERS.signature]: hubspotSignature(secret, 'POST', url, rawBody, timestamp), [HUBSPOT_HEADERS.timestamp]: timestamp };
}

/** Signature (constant-time), then freshness (five minutes either way). @throws UnauthorizedError */
export function verifyHubspotSignature(secret: string, req: HubspotSignedRequest, now = Date.now()): void {
  if (!req.signature || !req.timestamp) throw new UnauthorizedError(`This webhook must be signed by HubSpot: send ${HUBSPOT_HEADERS.signature} and ${HUBSPOT_HEADERS.timestamp}`);
  if (!/^\d{1,15}$/.test(req.timestamp) || req.signature.length > 200) throw new UnauthorizedError(`${HUBSPOT_HEADERS.timestamp} (epoch milliseconds) or ${HUBSPOT_HEADERS.signature} is not valid`);
  const expected = Buffer.from(hubspotSignature(secret, req.method, req.url, req.rawBody, req.timestamp), 'base64');
  const given = Buffer.from(req.signature, 'base64');
  // Checked before the timestamp, so an unsigned caller learns nothing about our clock.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new UnauthorizedError(`${HUBSPOT_HEADERS.signature} does not match this workflow's HubSpot client secret (signed: method, the URL HubSpot called, body, timestamp)`);
  }
  if (Math.abs(now - Number(req.timestamp)) > WEBHOOK_TOLERANCE_SECONDS * 1000) {
    throw new UnauthorizedError(`${HUBSPOT_HEADERS.timestamp} is more than five minutes from now; HubSpot signs each request when it sends it`);
  }
}
