/**
 * Usage counters (dynalite) and GET /usage: ADD per generate step, per workflow and UTC day;
 * totals match the price table; unpriced steps are counted and called out; run totals from steps.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { documentClient } from '../../../functions/shared/aws-clients.js';
import { createApp } from '../../../functions/api/app.js';
import { startTestIssuer, type TestIssuer } from '../../support/test-issuer.js';
import { countUsage, priceStep, utcDay } from '../../../functions/usage/account.js';
import { resetPriceTables } from '../../../functions/usage/prices.js';
import { runUsage } from '../../../functions/usage/totals.js';
import { startGatewayTableEnv, type GatewayTableEnv } from './gateway-table-env.js';

let env: GatewayTableEnv;
const DAY1 = new Date('2025-03-01T09:00:00Z');
const DAY2 = new Date('2025-03-02T23:59:59Z');

async function spend(workflowId: string, at: Date, provider: string, model: string, inputTokens: number, outputTokens: number) {
  const spent = { provider, model, usage: { inputTokens, outputTokens } };
  await countUsage(workflowId, at, spent, priceStep(spent));
}

let issuer: TestIssuer;
let auditor: string;
beforeAll(async () => {
  env = await startGatewayTableEnv();
  issuer = await startTestIssuer();
  auditor = await issuer.tokenFor('auditor@example.com');
  process.env.HANDRAIL_PRICES_FILE = fileURLToPath(new URL('./fixtures/prices.yaml', import.meta.url));
  resetPriceTables();
  // support: 3 steps on day 1 (two priced, one offline), 1 on day 2; triage: 1 unpriced on day 1.
  await Promise.all([
    spend('support', DAY1, 'bedrock', 'anthropic.claude-test', 1000, 500),
    spend('support', DAY1, 'openai', 'gpt-test', 2000, 1000),
    spend('support', DAY1, 'offline', 'offline-extractive-v1', 300, 40),
    spend('support', DAY2, 'openai', 'gpt-test', 100, 100),
    spend('triage', DAY1, 'openai', 'gpt-unknown', 10, 10),
  ]);
});
afterAll(async () => {
  await env?.stop();
  await issuer?.close();
});

const get = async (query: string) => {
  // Only the usage table is here: every signed-in caller is taken as enabled.
  const res = await createApp({ accountStanding: async () => 'active' }).request(`/usage${query}`, { headers: { authorization: `Bearer ${auditor}` } });
  return { status: res.status, body: (await res.json()) as any };
};

describe('usage counters and GET /usage', () => {
  it('adds the steps counted in the same turn with one ADD per workflow and day, losing none', async () => {
    const send = vi.spyOn(documentClient(), 'send');
    const DAY3 = new Date('2025-03-03T12:00:00Z');
    await Promise.all([
      ...Array.from({ length: 10 }, () => spend('burst', DAY3, 'openai', 'gpt-test', 10, 1)),
      spend('burst-other', DAY3, 'openai', 'gpt-test', 10, 1),
    ]);
    expect(send.mock.calls.map(([c]) => c.constructor.name)).toEqual(['UpdateCommand', 'UpdateCommand']);
    send.mockRestore();
    const { body } = await get('?workflowId=burst&day=2025-03-03');
    expect(body.totals).toMatchObject({ inputTokens: 100, outputTokens: 10, steps: 10 });
  });

  it('totals one workflow on one day, matching the price table', async () => {
    const { status, body } = await get('?workflowId=support&day=2025-03-01');
    expect(status).toBe(200);
    // bedrock 1000×1.0 + 500×2.0 = $2.00; openai 2000×0.5 + 1000×1.5 = $2.50; offline $0.
    expect(body.totals).toEqual({ inputTokens: 3300, outputTokens: 1540, costUsd: 4.5, steps: 3, unpricedSteps: 0 });
    // …and by model (the console's dashboard reads it): one attribute per model, added to like the rest.
    const costByModel = { 'bedrock/anthropic.claude-test': 2, 'openai/gpt-test': 2.5, 'offline/offline-extractive-v1': 0 };
    expect(body.breakdown).toEqual([{ workflowId: 'support', day: '2025-03-01', inputTokens: 3300, outputTokens: 1540, costUsd: 4.5, steps: 3, unpricedSteps: 0, fallbacks: 0, costByModel }]);
  });

  it('counts the steps a later model of the chain answered (fallbacks), per workflow and day', async () => {
    const DAY4 = new Date('2025-03-04T08:00:00Z');
    const spent = { provider: 'openai', model: 'gpt-test', usage: { inputTokens: 5, outputTokens: 5 } };
    await Promise.all([countUsage('fallbacks', DAY4, spent, priceStep(spent), true), countUsage('fallbacks', DAY4, spent, priceStep(spent), false), countUsage('fallbacks', DAY4, spent, priceStep(spent), true)]);
    const { body } = await get('?workflowId=fallbacks&day=2025-03-04');
    expect(body.breakdown[0]).toMatchObject({ steps: 3, fallbacks: 2 });
  });

  it('totals a workflow over every day, by day', async () => {
    const { body } = await get('?workflowId=support');
    expect(body.breakdown.map((r: any) => [r.day, r.costUsd])).toEqual([
      ['2025-03-01', 4.5],
      ['2025-03-02', 0.2],
    ]);
    expect(body.totals).toMatchObject({ inputTokens: 3400, outputTokens: 1640, costUsd: 4.7, steps: 4 });
  });

  it('totals every workflow on a day and says when some steps had no price', async () => {
    const { body } = await get('?day=2025-03-01');
    expect(body.breakdown.map((r: any) => r.workflowId)).toEqual(['support', 'triage']);
    expect(body.totals).toMatchObject({ inputTokens: 3310, outputTokens: 1550, costUsd: 4.5, steps: 4, unpricedSteps: 1 });
    expect(body.totals.costNote).toContain('1 generate step(s) used a model with no price');
  });

  it('returns zeros for a day with no usage, and 400 without a filter or with a bad day', async () => {
    expect((await get('?workflowId=support&day=2024-01-01')).body.totals).toMatchObject({ inputTokens: 0, costUsd: 0, steps: 0 });
    expect((await get('')).status).toBe(400);
    const bad = await get('?day=2025-13-45');
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('query.day');
  });

  it('uses the UTC day', () => {
    expect(utcDay(DAY2)).toBe('2025-03-02');
  });

  it('sums a run from its step records, treating a record without a cost as unpriced', () => {
    expect(
      runUsage([
        { usage: { inputTokens: 10, outputTokens: 5 }, costUsd: 0.1 },
        { usage: { inputTokens: 1, outputTokens: 1 }, costUsd: 0.2 },
        { usage: { inputTokens: 4, outputTokens: 4 } },
        {},
      ]),
    ).toMatchObject({ inputTokens: 15, outputTokens: 10, costUsd: 0.3, steps: 3, unpricedSteps: 1 });
  });
});
