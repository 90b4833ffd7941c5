/**
 * API keys for webhook senders: an admin makes one scoped to support-reply (shown once, stored as a
 * hash), the sender starts runs with it, and once revoked it stops working at once; a made-up or
 * altered key never works; every act is audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTrail } from '../../functions/records/audit.js';
import { getApiKey } from '../../functions/records/api-keys.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { client, startTestRuntime } from '../support/local-runtime.js';

let rt: LocalRuntime;
beforeAll(async () => {
  rt = await startTestRuntime();
});
afterAll(async () => {
  await rt?.stop();
});

const ticket = { ticketId: 'T-key', subject: 'Refund for my annual plan', body: 'How do I get a refund?' };
const post = async (authorization?: string) => {
  const res = await fetch(`${rt.url}/webhooks/support-reply`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(ticket),
  });
  return { status: res.status, body: (await res.json()) as any };
};

describe('API keys for webhook senders', () => {
  it('starts runs with a key scoped to the workflow; a revoked, altered or unknown key is refused (401)', async () => {
    const admin = client(rt);
    const made = await admin.post('/api-keys', { name: 'Zendesk (support)', workflows: ['support-reply'] });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ name: 'Zendesk (support)', workflows: ['support-reply'], status: 'active', createdBy: 'admin@example.com' });
    const key: string = made.body.key;
    expect(key).toMatch(/^hrk_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    // Stored as a hash only; listed without it.
    const stored = await getApiKey(made.body.keyId);
    expect(JSON.stringify(stored)).not.toContain(key.split('_').pop()!);
    const listed = (await admin.get('/api-keys')).body.keys.find((k: any) => k.keyId === made.body.keyId);
    expect(listed).not.toHaveProperty('key');
    expect(listed).not.toHaveProperty('secretHash');

    expect((await post(`Bearer ${key}`)).status).toBe(202);
    expect((await post(`Bearer ${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`)).status).toBe(401);
    expect((await post('Bearer hrk_AAAAAAAAAAAA_' + 'x'.repeat(43))).status).toBe(401);

    const revoked = await admin.post(`/api-keys/${made.body.keyId}/revoke`);
    expect(revoked.body).toEqual({ keyId: made.body.keyId, status: 'revoked' });
    const after = await post(`Bearer ${key}`);
    expect(after.status).toBe(401);
    expect(after.body.error.message).toContain('was revoked');
    expect((await admin.post(`/api-keys/${made.body.keyId}/revoke`)).status).toBe(404);

    const audit = await auditTrail('api-keys');
    expect(audit.map((e) => e.type)).toEqual(expect.arrayContaining(['api_key.created', 'api_key.revoked']));
  });

  it('refuses a key for a workflow that does not exist, and keys from anyone but an admin', async () => {
    const admin = client(rt);
    const unknown = await admin.post('/api-keys', { name: 'x', workflows: ['nope'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.field).toBe('body.workflows.0');
    expect((await client(rt, { as: 'author@example.com' }).post('/api-keys', { name: 'x', workflows: ['support-reply'] })).status).toBe(403);
  });
});
