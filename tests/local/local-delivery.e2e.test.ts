/**
 * Zero-config delivery on the local runtime: with nothing exported, a deliver step posts to the
 * runtime's own sink at the URL it actually listens on (any port), as the local stage declares.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime.js';
import { client, decideAs, pendingApprovalOf, startTestRuntime, waitForRun } from '../support/local-runtime.js';

let rt: LocalRuntime;
beforeAll(async () => {
  delete process.env.SUPPORT_REPLY_URL;
  rt = await startTestRuntime(); // port 0: a free port, never 3000
});
afterAll(async () => {
  await rt?.stop();
});

describe('local delivery defaults', () => {
  it('delivers to the runtime\'s own sink on the port it listens on', { timeout: 60_000 }, async () => {
    const api = client(rt);
    const { runId } = (await api.post('/webhooks/support-reply', { ticketId: 'T-sink', subject: 'Refund for my annual plan', body: 'How do I get a refund?' })).body;
    const approval = await pendingApprovalOf(rt, runId);
    expect((await decideAs(rt, approval, 'support-agent@example.com', { action: 'approve' })).status).toBe(200);
    const run = await waitForRun(rt, runId, ['delivered']);
    expect(run.delivery.url).toBe(`${rt.url}/sink/support-reply`);
    const sink = await api.get('/sink/support-reply');
    expect(sink.body.deliveries.map((d: any) => d.body.runId)).toContain(runId);
  });
});
