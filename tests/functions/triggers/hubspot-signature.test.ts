import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Signature } from '@hubspot/api-client/lib/src/utils/signature.js';
import { describe, expect, it } from 'vitest';
import type { NonceClaim } from '../../../functions/records/nonces.js';
import { ENV } from '../../../functions/shared/env-names.js';
import { authenticateTrigger } from '../../../functions/triggers/authenticate-trigger.js';
import { HUBSPOT_HEADERS, hubspotSignature, hubspotSignedHeaders, hubspotSignedUri, verifyHubspotSignature } from '../../../functions/triggers/hubspot-signature.js';
import { signedWebhookHeaders } from '../../../functions/triggers/standard-webhooks.js';
import { resetWebhookSecrets, vendorSecretName } from '../../../functions/triggers/webhook-secrets.js';
import { zendeskSignedHeaders } from '../../../functions/triggers/zendesk-signature.js';

const secret = 'a1b2c3d4-e5f6-7890-abcd-ef0123456789';
const url = 'https://api.example.com/webhooks/sales-outreach';
const body = '{"contactId":"901","email":"sam@northwind.example","firstName":"Sam","message":"Do you support SSO?"}';
const now = Date.UTC(2026, 11, 1, 12, 0, 0);
const timestamp = String(now);

describe('HubSpot v3 request signatures', () => {
  it('is base64(HMAC-SHA256(client secret, method + uri + body + timestamp)), as HubSpot and its SDK compute it', () => {
    // Prepare: HubSpot's documented source string, and its own SDK's computation
    const expected = createHmac('sha256', secret).update(`POST${url}${body}${timestamp}`).digest('base64');
    const sdk = Signature.getSignature('POST', 'v3', { clientSecret: secret, url, requestBody: body, timestamp: now, signature: '' });
    // Act, Assess
    expect(hubspotSignature(secret, 'POST', url, body, timestamp)).toBe(expected);
    expect(sdk).toBe(expected);
    expect(hubspotSignedHeaders(secret, url, body, now)).toEqual({ [HUBSPOT_HEADERS.signature]: expected, [HUBSPOT_HEADERS.timestamp]: timestamp });
  });

  it('decodes the escapes HubSpot lists in the URI, and only those', () => {
    expect(hubspotSignedUri('https://h.example/webhooks/x?from=a%40b.example%2Cc%3Ad&q=%28x%29%2A%21%24%27%3B%2f%3f&s=a%20b'))
      .toBe("https://h.example/webhooks/x?from=a@b.example,c:d&q=(x)*!$';/?&s=a%20b");
    const escaped = `${url}?form=a%40b`;
    expect(hubspotSignature(secret, 'POST', escaped, body, timestamp)).toBe(createHmac('sha256', secret).update(`POST${url}?form=a@b${body}${timestamp}`).digest('base64'));
  });

  it('accepts a genuine call within five minutes either way', () => {
    const signed = { method: 'POST', url, signature: hubspotSignature(secret, 'POST', url, body, timestamp), timestamp, rawBody: body };
    expect(() => verifyHubspotSignature(secret, signed, now + 299_000)).not.toThrow();
    expect(() => verifyHubspotSignature(secret, signed, now - 299_000)).not.toThrow();
  });

  const stale = String(now - 300_001);
  const future = String(now + 300_001);
  it.each([
    ['unsigned', { signature: undefined, timestamp: undefined }, /must be signed by HubSpot/],
    ['without its timestamp', { timestamp: undefined }, /must be signed by HubSpot/],
    ['signed with another secret', { signature: hubspotSignature(randomBytes(16).toString('hex'), 'POST', url, body, timestamp) }, /does not match this workflow's HubSpot client secret/],
    ['whose body was changed after signing', { rawBody: body.replace('901', '902') }, /does not match/],
    ['whose timestamp was changed after signing', { timestamp: String(now + 1) }, /does not match/],
    ['sent to another URL than it was signed for', { url: 'https://api.example.com/webhooks/support-reply' }, /does not match/],
    ['with another method than it was signed for', { method: 'PUT' }, /does not match/],
    ['stale (more than five minutes old)', { timestamp: stale, signature: hubspotSignature(secret, 'POST', url, body, stale) }, /more than five minutes/],
    ['from the future', { timestamp: future, signature: hubspotSignature(secret, 'POST', url, body, future) }, /more than five minutes/],
    ['with a timestamp in ISO 8601 rather than epoch milliseconds', { timestamp: '2026-12-01T12:00:00Z', signature: hubspotSignature(secret, 'POST', url, body, '2026-12-01T12:00:00Z') }, /not valid/],
  ])('refuses a call %s', (_case, change, message) => {
    const signed = { method: 'POST', url, signature: hubspotSignature(secret, 'POST', url, body, timestamp), timestamp, rawBody: body, ...change };
    expect(() => verifyHubspotSignature(secret, signed, now)).toThrow(message);
  });
});

describe('authenticateTrigger with trigger.auth hubspot', () => {
  const dir = mkdtempSync(join(tmpdir(), 'webhook-secrets-'));
  const whsec = `whsec_${randomBytes(32).toString('base64')}`;
  writeFileSync(join(dir, 'sales-outreach'), whsec);
  writeFileSync(join(dir, vendorSecretName('sales-outreach', 'hubspot')), secret);
  const claimed = new Set<string>();
  const claim: NonceClaim = async (nonce) => (claimed.has(nonce) ? false : (claimed.add(nonce), true));
  const request = (headers: Record<string, string>, rawBody = body, calledUrl = url) => ({ header: (name: string) => headers[name], rawBody, method: 'POST', url: calledUrl });
  const both = { id: 'sales-outreach', trigger: { auth: ['signature' as const, 'hubspot' as const] } };
  const use = () => {
    process.env[ENV.webhookSecretsDir] = dir;
    resetWebhookSecrets();
  };

  it('takes a HubSpot-signed call once, as the hubspot sender; the same call again is a replay', async () => {
    use();
    const headers = hubspotSignedHeaders(secret, url, body, now);
    const admitted = await authenticateTrigger(both, request(headers), claim, now);
    expect(admitted.sender).toBe('hubspot:sales-outreach');
    await admitted.claimOnce();
    const again = await authenticateTrigger(both, request(headers), claim, now + 1000);
    await expect(again.claimOnce()).rejects.toThrow(/This HubSpot webhook call was already received \(a replay\)/);
  });

  it('judges a call with HubSpot headers by them alone, and still takes Standard Webhooks beside it', async () => {
    use();
    const forged = { ...signedWebhookHeaders(whsec, 'msg_h', body, now / 1000), [HUBSPOT_HEADERS.signature]: 'AAAA', [HUBSPOT_HEADERS.timestamp]: timestamp };
    await expect(authenticateTrigger(both, request(forged), claim, now)).rejects.toThrow(/does not match this workflow's HubSpot client secret/);
    const standard = await authenticateTrigger(both, request(signedWebhookHeaders(whsec, 'msg_s', body, now / 1000)), claim, now);
    expect(standard.sender).toBe('signature:sales-outreach');
  });

  it('refuses HubSpot calls where the trigger does not take them, Zendesk calls where only HubSpot is taken, and unsigned calls', async () => {
    use();
    const signatureOnly = { id: 'sales-outreach', trigger: { auth: ['signature' as const] } };
    await expect(authenticateTrigger(signatureOnly, request(hubspotSignedHeaders(secret, url, body, now)), claim, now)).rejects.toThrow(/does not take HubSpot webhooks/);
    const hubspotOnly = { id: 'sales-outreach', trigger: { auth: ['hubspot' as const] } };
    await expect(authenticateTrigger(hubspotOnly, request(zendeskSignedHeaders(secret, body, new Date(now))), claim, now)).rejects.toThrow(/does not take Zendesk webhooks/);
    await expect(authenticateTrigger(hubspotOnly, request({}), claim, now)).rejects.toThrow(/must be signed by HubSpot/);
  });
});
