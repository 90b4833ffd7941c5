/** Quality gates route drafts on the local runtime: pass → sent, fail → a human who sees why, no context → ask. */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime.js';
import { chatOk, startFakeServer, type FakeServer } from '../support/fake-model-servers.js';
import { client, startSignedReceiver, startTestRuntime, waitForRun } from '../support/local-runtime.js';

let rt: LocalRuntime;
let model: FakeServer;
const receivers: Record<string, Awaited<ReturnType<typeof startSignedReceiver>>> = {};

beforeAll(async () => {
  model = await startFakeServer(chatOk('You can request a refund within 14 days of payment [1].'));
  rt = await startTestRuntime({
    workflowsDir: fileURLToPath(new URL('../fixtures/gates-workflows', import.meta.url)),
    env: { HANDRAIL_PROVIDERS: 'openai', OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: `${model.url}/v1` },
  });
  for (const name of ['auto', 'reviewed', 'more_info']) {
    receivers[name] = await startSignedReceiver(rt.deliverySecret);
    process.env[`GATED_${name.toUpperCase()}_URL`] = receivers[name]!.url;
  }
});

afterAll(async () => {
  await rt?.stop();
  await Promise.all([model?.close(), ...Object.values(receivers).map((r) => r.close())]);
});

async function run(body: string, statuses: string[], subject = 'Refund for my plan') {
  const api = client(rt);
  const { runId } = (await api.post('/webhooks/gated-reply', { subject, body })).body;
  return waitForRun(rt, runId, statuses);
}

describe('quality gates on the local runtime', () => {
  it('sends a draft that passes every gate as drafted', async () => {
    const done = await run('How do I get a refund for my annual plan?', ['delivered']);
    expect(done.steps.find((s: any) => s.stepId === 'draft').output.gates).toEqual({
      failed: false,
      contextFailed: false,
      failures: [],
      confidence: { score: expect.any(Number), method: 'grounding', reason: expect.stringContaining('retrieved passage') },
    });
    expect(done.steps.find((s: any) => s.stepId === 'draft').output.gates.confidence.score).toBeGreaterThanOrEqual(0.5);
    expect(receivers.auto!.received.map((r) => r.body.runId)).toContain(done.runId);
    expect(done.approvals).toEqual([]);
  });

  it('routes a draft that leaks personal data or makes a guarantee to a human, who sees the reasons', async () => {
    model.script(chatOk('We guarantee your refund; we emailed pat@example.com and refunded card 4111 1111 1111 1111 [1].'));
    const waiting = await run('How do I get a refund for my annual plan?', ['awaiting_approval']);
    const [approval] = waiting.approvals;
    expect(approval.stepId).toBe('human_review');
    expect(approval.qualityFailures.map((f: any) => f.gate).sort()).toEqual(['blocked_pattern', 'confidence', 'personal_data', 'personal_data']);
    const link = new URL((await client(rt).get(`/approvals/${approval.approvalId}`)).body.reviewLinks['support-agent@example.com']).pathname;
    const page = (await client(rt).get(link)).text;
    const why = page.slice(page.indexOf('Why this is with you'));
    for (const gate of ['personal data', 'blocked pattern', 'confidence']) expect(why).toContain(`<li class="gate"><strong>${gate}</strong>: `);
    expect(why).toContain('the draft contains');
    expect(receivers.auto!.received.some((r) => r.body.runId === waiting.runId)).toBe(false);
  });

  it('routes a draft the knowledge base does not support (low confidence) to a human', async () => {
    model.script(chatOk('Sure! We will ship you a free laptop and a gift voucher tomorrow morning [1].'));
    const waiting = await run('How do I get a refund for my annual plan?', ['awaiting_approval']);
    const [approval] = waiting.approvals;
    expect(approval.stepId).toBe('human_review');
    expect(approval.qualityFailures).toEqual([{ stepId: 'draft', gate: 'confidence', detail: expect.stringMatching(/^confidence 0(\.\d+)? is below 0\.5 \(/) }]);
    expect(receivers.auto!.received.some((r) => r.body.runId === waiting.runId)).toBe(false);
  });

  it('asks for details when no retrieved passage is relevant enough', async () => {
    const done = await run('zzqx qqzz wwvv', ['delivered'], 'Hello');
    expect(done.steps.find((s: any) => s.stepId === 'draft').output.gates).toMatchObject({ contextFailed: true });
    expect(receivers.more_info!.received.map((r) => r.body.runId)).toContain(done.runId);
    expect(receivers.auto!.received.some((r) => r.body.runId === done.runId)).toBe(false);
  });
});
