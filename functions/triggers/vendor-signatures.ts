/**
 * The SaaS vendors whose own webhook signatures a trigger may take (`trigger.auth`, one fact in
 * state-machines/schema.ts VENDOR_TRIGGER_AUTH): the headers that mark a call as theirs, and how
 * it is verified with the workflow's `<id>.<vendor>` secret. A call carrying a vendor's headers is
 * judged by them alone. Neither vendor sends a message id, so the signature (over the timestamp
 * and body) is what a replay repeats: it is claimed once, per workflow.
 */
import type { VendorTriggerAuth } from '../../state-machines/schema.js';
import { HUBSPOT_HEADERS, verifyHubspotSignature } from './hubspot-signature.js';
import { verifyZendeskSignature, ZENDESK_HEADERS } from './zendesk-signature.js';

export interface VendorRequest {
  header(name: string): string | undefined;
  readonly rawBody: string;
  readonly method: string;
  /** The full URL the vendor called (HubSpot signs it). */
  readonly url: string;
}

export interface VendorSignature {
  /** As people write it: Zendesk, HubSpot. */
  readonly label: string;
  readonly headers: { readonly signature: string; readonly timestamp: string };
  /** @throws UnauthorizedError */
  verify(secret: string, req: VendorRequest, now: number): void;
}

export const VENDOR_SIGNATURES: Readonly<Record<VendorTriggerAuth, VendorSignature>> = {
  zendesk: {
    label: 'Zendesk',
    headers: ZENDESK_HEADERS,
    verify: (secret, req, now) =>
      verifyZendeskSignature(secret, { signature: req.header(ZENDESK_HEADERS.signature), timestamp: req.header(ZENDESK_HEADERS.timestamp), rawBody: req.rawBody }, now),
  },
  hubspot: {
    label: 'HubSpot',
    headers: HUBSPOT_HEADERS,
    verify: (secret, req, now) =>
      verifyHubspotSignature(
        secret,
        { method: req.method, url: req.url, signature: req.header(HUBSPOT_HEADERS.signature), timestamp: req.header(HUBSPOT_HEADERS.timestamp), rawBody: req.rawBody },
        now,
      ),
  },
};

/** The vendor whose headers the call carries, if any. */
export function vendorOf(req: Pick<VendorRequest, 'header'>): VendorTriggerAuth | undefined {
  return (Object.keys(VENDOR_SIGNATURES) as VendorTriggerAuth[]).find((vendor) => {
    const { headers } = VENDOR_SIGNATURES[vendor];
    return req.header(headers.signature) !== undefined || req.header(headers.timestamp) !== undefined;
  });
}
