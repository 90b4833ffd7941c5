/**
 * Cooldown state in the gateway table (dynalite): it survives across processes (a new
 * ProviderHealth is a new Lambda container), is cached briefly in-process, trips once under
 * concurrent failures, and a store that cannot be reached reads as healthy.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cooldownPolicy, ProviderHealth } from '../../../functions/gateway/health.js';
import { DynamoHealthStore } from '../../../functions/gateway/health-dynamo.js';
import { generate } from '../../../functions/gateway/model-gateway.js';
import { bedrockError } from '../../support/fake-model-servers.js';
import { GATEWAY_TABLE, startGatewayTableEnv, type GatewayTableEnv } from '../usage/gateway-table-env.js';
import { ref } from './fixtures.js';
import { BASE_REQUEST, useFakeProviders } from './harness.js';

const h = useFakeProviders();
let env: GatewayTableEnv;
const T0 = Date.parse('2025-03-01T12:00:00Z');
const policy = { failures: 3, windowMs: 60_000, cooldownMs: 30_000, cacheMs: 5_000 };
/** A process (Lambda container) with its own in-process cache over the shared table. */
const newProcess = () => new ProviderHealth(new DynamoHealthStore(GATEWAY_TABLE), () => policy);

beforeAll(async () => {
  env = await startGatewayTableEnv();
});
beforeEach(() => env.apply());
afterAll(async () => {
  await env?.stop();
});

describe('cooldown state in DynamoDB', () => {
  it('is seen by another process and ends after the cooldown', async () => {
    const first = newProcess();
    let clock = T0;
    const chain = [ref('bedrock', 'shared-1', { maxAttempts: 3 }), ref('openai', 'gpt-4o-mini')];
    const down = bedrockError(503, 'ServiceUnavailableException');
    h.bedrock.script(down, down, down);
    await generate({ ...BASE_REQUEST, chain }, { sleep: h.sleep, now: () => clock, health: first });

    clock = T0 + 1_000;
    const second = newProcess();
    const skipped = await generate({ ...BASE_REQUEST, chain }, { sleep: h.sleep, now: () => clock, health: second });
    expect(skipped.attempts.map((a) => [a.provider, a.outcome, a.errorKind])).toEqual([
      ['bedrock', 'skipped', 'cooldown'],
      ['openai', 'ok', undefined],
    ]);
    expect(h.bedrock.requests).toHaveLength(3);

    clock = T0 + 31_000;
    const back = await generate({ ...BASE_REQUEST, chain }, { sleep: h.sleep, now: () => clock, health: newProcess() });
    expect(back.provider).toBe('bedrock');
  });

  it('serves a cached state for cacheMs, then reads the table again', async () => {
    const reader = newProcess();
    const writer = newProcess();
    expect(await reader.coolingUntil('bedrock/cached', T0)).toBeUndefined();
    for (let i = 0; i < 3; i++) await writer.recordFailure('bedrock/cached', T0 + 1_000);
    expect(await writer.coolingUntil('bedrock/cached', T0 + 1_000)).toBe(T0 + 31_000);
    expect(await reader.coolingUntil('bedrock/cached', T0 + 2_000)).toBeUndefined();
    expect(await reader.coolingUntil('bedrock/cached', T0 + 5_000)).toBe(T0 + 31_000);
  });

  it('starts exactly one cooldown when many processes fail at once', async () => {
    const store = new DynamoHealthStore(GATEWAY_TABLE);
    const results = await Promise.all(Array.from({ length: 12 }, () => store.recordFailure('bedrock/busy', T0, policy)));
    const started = new Set(results.filter((r) => r !== undefined));
    expect([...started]).toEqual([T0 + 30_000]);
    expect(await store.cooldownUntil('bedrock/busy')).toBe(T0 + 30_000);
  });

  it('counts afresh after a cooldown', async () => {
    const store = new DynamoHealthStore(GATEWAY_TABLE);
    for (let i = 0; i < 3; i++) await store.recordFailure('bedrock/again', T0, policy);
    const after = T0 + 40_000;
    expect(await store.recordFailure('bedrock/again', after, policy)).toBeUndefined();
    expect(await store.recordFailure('bedrock/again', after, policy)).toBeUndefined();
    expect(await store.recordFailure('bedrock/again', after, policy)).toBe(after + 30_000);
  });

  it('reads as healthy when the table cannot be reached', async () => {
    const broken = new ProviderHealth(new DynamoHealthStore('no-such-table'), () => cooldownPolicy());
    expect(await broken.coolingUntil('bedrock/x', T0)).toBeUndefined();
    expect(await broken.recordFailure('bedrock/x', T0)).toBe(false);
  });
});
