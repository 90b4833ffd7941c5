import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { authenticateTrigger } from '../../../functions/triggers/authenticate-trigger.js';
import { signedWebhookHeaders, verifyWebhookSignature, webhookSignature } from '../../../functions/triggers/standard-webhooks.js';
import type { NonceClaim } from '../../../functions/records/nonces.js';
import { ENV } from '../../../functions/shared/env-names.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resetWebhookSecrets } from '../../../functions/triggers/webhook-secrets.js';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const body = '{"ticketId":"1","subject":"Hi","body":"Refund?"}';
const now = Date.UTC(2026, 10, 30, 12, 0, 0);
const at = now / 1000;

describe('Standard Webhooks signatures', () => {
  it('matches the specification\'s example', () => {
    // https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md (example values)
    const spec = webhookSignature('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
    expect(spec).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('accepts its own signature, among others, within five minutes', () => {
    const headers = signedWebhookHeaders(secret, 'msg_1', body, at);
    const signed = { id: 'msg_1', timestamp: headers['webhook-timestamp'], signature: `v1,AAAA ${headers['webhook-signature']}`, rawBody: body };
    expect(() => verifyWebhookSignature(secret, signed, now + 299_000)).not.toThrow();
  });

  it.each([
    ['unsigned', { id: undefined, timestamp: undefined, signature: undefined }, /must be signed/],
    ['signed with another secret', { signature: webhookSignature(`whsec_${randomBytes(32).toString('base64')}`, 'msg_1', at, body) }, /does not match/],
    ['a body changed after signing', { rawBody: `${body} ` }, /does not match/],
    ['stale', { timestamp: String(at - 301), signature: webhookSignature(secret, 'msg_1', at - 301, body) }, /more than five minutes/],
    ['from the future', { timestamp: String(at + 301), signature: webhookSignature(secret, 'msg_1', at + 301, body) }, /more than five minutes/],
    ['a timestamp that is not seconds', { timestamp: '2026-11-30' }, /not valid/],
  ])('refuses a call %s', (_case, change, message) => {
    const signed = { id: 'msg_1', timestamp: String(at), signature: webhookSignature(secret, 'msg_1', at, body), rawBody: body, ...change };
    expect(() => verifyWebhookSignature(secret, signed, now)).toThrow(message);
  });
});

describe('authenticateTrigger', () => {
  const dir = mkdtempSync(join(tmpdir(), 'webhook-secrets-'));
  writeFileSync(join(dir, 'support-reply'), secret);
  process.env[ENV.webhookSecretsDir] = dir;
  resetWebhookSecrets();
  const claimed = new Set<string>();
  const claim: NonceClaim = async (nonce) => (claimed.has(nonce) ? false : (claimed.add(nonce), true));
  const request = (headers: Record<string, string>) => ({ header: (name: string) => headers[name], rawBody: body, method: 'POST', url: 'https://api.example.com/webhooks/support-reply' });
  const workflow = { id: 'support-reply', trigger: { auth: ['signature' as const] } };

  it('takes a signed call once; the same webhook-id again is a replay', async () => {
    const headers = signedWebhookHeaders(secret, 'msg_once', body, at);
    await (await authenticateTrigger(workflow, request(headers), claim, now)).claimOnce();
    const again = await authenticateTrigger(workflow, request(headers), claim, now + 1000);
    await expect(again.claimOnce()).rejects.toThrow(/already received \(a replay\)/);
    expect([...claimed]).toEqual(['webhook-id#support-reply#msg_once']);
  });

  it('refuses an API key where the trigger takes only signatures, and a signature where it takes only keys', async () => {
    const key = `Bearer hrk_AAAAAAAAAAAA_${'x'.repeat(43)}`;
    await expect(authenticateTrigger(workflow, request({ authorization: key }), claim, now)).rejects.toThrow(/takes signed webhooks, not API keys/);
    const keysOnly = { id: 'support-reply', trigger: { auth: ['api-key' as const] } };
    await expect(authenticateTrigger(keysOnly, request(signedWebhookHeaders(secret, 'msg_k', body, at)), claim, now)).rejects.toThrow(/takes an API key/);
  });

  it('lets a workflow whose trigger says none through, and nothing else', async () => {
    await (await authenticateTrigger({ id: 'open', trigger: { auth: ['none'] } }, request({}), claim, now)).claimOnce();
    await expect(authenticateTrigger(workflow, request({}), claim, now)).rejects.toThrow(/must be signed/);
  });
});
