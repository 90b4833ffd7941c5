/**
 * Webhooks prove who sent them: a call to support-reply (trigger.auth: signature) starts a run only
 * when signed with the workflow's secret, fresh, and with a webhook-id never seen before; unsigned,
 * stale, forged and replayed calls get 401 and nothing starts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedWebhookHeaders } from '../../functions/triggers/standard-webhooks.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { client, startTestRuntime } from '../support/local-runtime.js';

let rt: LocalRuntime;
beforeAll(async () => {
  rt = await startTestRuntime();
});
afterAll(async () => {
  await rt?.stop();
});

const ticket = JSON.stringify({ ticketId: 'T-signed', subject: 'Refund for my annual plan', body: 'How do I get a refund?' });

async function post(headers: Record<string, string>, body = ticket) {
  const res = await fetch(`${rt.url}/webhooks/support-reply`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, body: (await res.json()) as any };
}

async function runCount(): Promise<number> {
  return (await client(rt).get('/runs?workflowId=support-reply&limit=100')).body.runs.length;
}

describe('signed webhooks', () => {
  it('starts a run for a signed call, once; refuses unsigned, stale, forged and replayed ones with 401, starting nothing', async () => {
    const secret = rt.webhookSecret('support-reply');
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const before = await runCount();
    const now = Math.floor(Date.now() / 1000);

    const unsigned = await post({});
    const stale = await post(signedWebhookHeaders(secret, 'msg_stale', ticket, now - 600));
    const forged = await post(signedWebhookHeaders(`whsec_${Buffer.alloc(32, 7).toString('base64')}`, 'msg_forged', ticket));
    const tampered = await post(signedWebhookHeaders(secret, 'msg_tampered', ticket), ticket.replace('refund', 'discount'));
    const signed = signedWebhookHeaders(secret, 'msg_first', ticket);
    const accepted = await post(signed);
    const replayed = await post(signed);

    expect(accepted.status).toBe(202);
    expect(accepted.body.runId).toMatch(/^run-/);
    for (const [name, refused] of Object.entries({ unsigned, stale, forged, tampered, replayed })) {
      expect(refused.status, name).toBe(401);
      expect(refused.body.error.code, name).toBe('UnauthorizedError');
    }
    expect(replayed.body.error.message).toContain('already received');
    expect(unsigned.body.error.message).toContain('webhook-id, webhook-timestamp and webhook-signature');
    expect(await runCount()).toBe(before + 1);
  });
});
