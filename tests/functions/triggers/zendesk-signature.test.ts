import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NonceClaim } from '../../../functions/records/nonces.js';
import { ENV } from '../../../functions/shared/env-names.js';
import { authenticateTrigger } from '../../../functions/triggers/authenticate-trigger.js';
import { signedWebhookHeaders } from '../../../functions/triggers/standard-webhooks.js';
import { resetWebhookSecrets, zendeskSecretName } from '../../../functions/triggers/webhook-secrets.js';
import { verifyZendeskSignature, ZENDESK_HEADERS, zendeskSignature, zendeskSignedHeaders } from '../../../functions/triggers/zendesk-signature.js';

const secret = randomBytes(32).toString('base64');
const body = '{"ticketId":"4711","subject":"Refund","body":"How do I get a refund?"}';
const now = Date.UTC(2026, 10, 30, 12, 0, 0);
const timestamp = '2026-11-30T12:00:00Z';

describe('Zendesk webhook signatures', () => {
  it('is base64(HMAC-SHA256(secret, timestamp + body)), as Zendesk documents it', () => {
    // Prepare: what Zendesk's own Node example computes
    const expected = createHmac('sha256', secret).update(timestamp + body).digest('base64');
    // Act, Assess
    expect(zendeskSignature(secret, timestamp, body)).toBe(expected);
    expect(zendeskSignedHeaders(secret, body, new Date(now))).toEqual({ [ZENDESK_HEADERS.signature]: expected, [ZENDESK_HEADERS.timestamp]: timestamp });
  });

  it('accepts a genuine call within five minutes either way', () => {
    const signed = { signature: zendeskSignature(secret, timestamp, body), timestamp, rawBody: body };
    expect(() => verifyZendeskSignature(secret, signed, now + 299_000)).not.toThrow();
    expect(() => verifyZendeskSignature(secret, signed, now - 299_000)).not.toThrow();
  });

  it.each([
    ['unsigned', { signature: undefined, timestamp: undefined }, /must be signed by Zendesk/],
    ['without its timestamp', { timestamp: undefined }, /must be signed by Zendesk/],
    ['signed with another secret', { signature: zendeskSignature(randomBytes(32).toString('base64'), timestamp, body) }, /does not match/],
    ['whose body was changed after signing', { rawBody: body.replace('4711', '4712') }, /does not match/],
    ['whose timestamp was changed after signing', { timestamp: '2026-11-30T12:00:01Z' }, /does not match/],
    ['stale', { timestamp: '2026-11-30T11:54:59Z', signature: zendeskSignature(secret, '2026-11-30T11:54:59Z', body) }, /more than five minutes/],
    ['from the future', { timestamp: '2026-11-30T12:05:01Z', signature: zendeskSignature(secret, '2026-11-30T12:05:01Z', body) }, /more than five minutes/],
    ['with a timestamp that is not ISO 8601 UTC', { timestamp: '1764504000', signature: zendeskSignature(secret, '1764504000', body) }, /not valid/],
  ])('refuses a call %s', (_case, change, message) => {
    const signed = { signature: zendeskSignature(secret, timestamp, body), timestamp, rawBody: body, ...change };
    expect(() => verifyZendeskSignature(secret, signed, now)).toThrow(message);
  });
});

describe('authenticateTrigger with trigger.auth zendesk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'webhook-secrets-'));
  const whsec = `whsec_${randomBytes(32).toString('base64')}`;
  writeFileSync(join(dir, 'support-reply'), whsec);
  writeFileSync(join(dir, zendeskSecretName('support-reply')), secret);
  process.env[ENV.webhookSecretsDir] = dir;
  resetWebhookSecrets();
  const claimed = new Set<string>();
  const claim: NonceClaim = async (nonce) => (claimed.has(nonce) ? false : (claimed.add(nonce), true));
  const request = (headers: Record<string, string>, rawBody = body) => ({ header: (name: string) => headers[name], rawBody, method: 'POST', url: 'https://api.example.com/webhooks/support-reply' });
  const both = { id: 'support-reply', trigger: { auth: ['signature' as const, 'zendesk' as const] } };

  it('takes a Zendesk-signed call once, as the zendesk sender; the same call again is a replay', async () => {
    const headers = zendeskSignedHeaders(secret, body, new Date(now));
    const admitted = await authenticateTrigger(both, request(headers), claim, now);
    expect(admitted.sender).toBe('zendesk:support-reply');
    await admitted.claimOnce();
    const again = await authenticateTrigger(both, request(headers), claim, now + 1000);
    await expect(again.claimOnce()).rejects.toThrow(/already received \(a replay\)/);
  });

  it('judges a call with Zendesk headers by them alone, and still takes Standard Webhooks beside it', async () => {
    const forged = { ...signedWebhookHeaders(whsec, 'msg_z', body, now / 1000), [ZENDESK_HEADERS.signature]: 'AAAA', [ZENDESK_HEADERS.timestamp]: timestamp };
    await expect(authenticateTrigger(both, request(forged), claim, now)).rejects.toThrow(/does not match this workflow's Zendesk signing secret/);
    const standard = await authenticateTrigger(both, request(signedWebhookHeaders(whsec, 'msg_s', body, now / 1000)), claim, now);
    expect(standard.sender).toBe('signature:support-reply');
  });

  it('refuses Zendesk calls where the trigger does not take them, and unsigned calls where only Zendesk is taken', async () => {
    const signatureOnly = { id: 'support-reply', trigger: { auth: ['signature' as const] } };
    await expect(authenticateTrigger(signatureOnly, request(zendeskSignedHeaders(secret, body, new Date(now))), claim, now)).rejects.toThrow(/does not take Zendesk webhooks/);
    const zendeskOnly = { id: 'support-reply', trigger: { auth: ['zendesk' as const] } };
    await expect(authenticateTrigger(zendeskOnly, request({}), claim, now)).rejects.toThrow(/must be signed by Zendesk/);
    await expect(authenticateTrigger(zendeskOnly, request(signedWebhookHeaders(whsec, 'msg_x', body, now / 1000)), claim, now)).rejects.toThrow(/must be signed by Zendesk/);
  });
});
