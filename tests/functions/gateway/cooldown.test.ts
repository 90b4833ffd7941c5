/**
 * Cooldowns through the gateway, with an injected clock (nothing sleeps): repeated provider
 * failures take a model out of rotation, later calls skip it instantly, and it comes back once
 * the cooldown has passed. Request-level failures (policy, context window) never count.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { generate } from '../../../functions/gateway/model-gateway.js';
import { bedrockError } from '../../support/fake-model-servers.js';
import { bedrockContentFiltered } from './faults.js';
import { ref } from './fixtures.js';
import { BASE_REQUEST, useFakeProviders } from './harness.js';

const h = useFakeProviders();
const T0 = Date.parse('2025-03-01T12:00:00Z');
let clock = T0;
const call = (chain = [ref('bedrock', 'm-1'), ref('openai', 'gpt-4o-mini')]) => generate({ ...BASE_REQUEST, chain }, { sleep: h.sleep, now: () => clock });
const seq = (attempts: { provider: string; outcome: string; errorKind?: string }[]) => attempts.map((a) => [a.provider, a.outcome, a.errorKind]);
const down = () => bedrockError(503, 'ServiceUnavailableException');

beforeEach(() => {
  clock = T0;
  Object.assign(process.env, { HANDRAIL_COOLDOWN_FAILURES: '3', HANDRAIL_COOLDOWN_WINDOW_SECONDS: '60', HANDRAIL_COOLDOWN_SECONDS: '30' });
});

describe('provider cooldown', () => {
  it('takes a failing model out of rotation, skips it instantly, and brings it back after the cooldown', async () => {
    h.bedrock.script(down(), down());
    expect(seq((await call()).attempts)).toEqual([
      ['bedrock', 'failed', 'server_error'],
      ['bedrock', 'failed', 'server_error'],
      ['openai', 'ok', undefined],
    ]);

    // The third failure in the window starts the cooldown: no second attempt on a model just benched.
    clock += 1_000;
    h.bedrock.script(down());
    expect(seq((await call()).attempts)).toEqual([
      ['bedrock', 'failed', 'server_error'],
      ['openai', 'ok', undefined],
    ]);

    clock += 1_000;
    const skipped = await call();
    expect(seq(skipped.attempts)).toEqual([
      ['bedrock', 'skipped', 'cooldown'],
      ['openai', 'ok', undefined],
    ]);
    expect(skipped.attempts[0]).toMatchObject({ latencyMs: 0, error: expect.stringContaining('in cooldown until 2025-03-01T12:00:31.000Z') });
    expect(h.bedrock.requests).toHaveLength(3);

    clock = T0 + 31_000;
    const back = await call();
    expect(seq(back.attempts)).toEqual([['bedrock', 'ok', undefined]]);
    expect(h.bedrock.requests).toHaveLength(4);
  });

  it('counts failures within the window only', async () => {
    h.bedrock.script(down(), down());
    await call();
    clock += 61_000; // the first window has closed: these two start a new one
    h.bedrock.script(down(), down());
    await call();
    clock += 1_000;
    expect((await call()).attempts[0]).toMatchObject({ provider: 'bedrock', outcome: 'ok' });
  });

  it('keeps one model cooling while another model of the same provider still serves', async () => {
    h.bedrock.script(down(), down(), down());
    await call([ref('bedrock', 'm-1', { maxAttempts: 3 }), ref('offline')]);
    const result = await call([ref('bedrock', 'm-1'), ref('bedrock', 'm-2')]);
    expect(seq(result.attempts)).toEqual([
      ['bedrock', 'skipped', 'cooldown'],
      ['bedrock', 'ok', undefined],
    ]);
    expect(result.model).toBe('m-2');
  });

  it('does not count content-policy failures: they are about the request, not the provider', async () => {
    for (let i = 0; i < 3; i++) {
      h.bedrock.script(bedrockContentFiltered());
      await call();
    }
    expect((await call()).attempts[0]).toMatchObject({ provider: 'bedrock', outcome: 'ok' });
  });

  it('is off when HANDRAIL_COOLDOWN_FAILURES is 0', async () => {
    process.env.HANDRAIL_COOLDOWN_FAILURES = '0';
    h.bedrock.script(down(), down(), down(), down());
    await call();
    await call();
    expect((await call()).attempts[0]).toMatchObject({ provider: 'bedrock', outcome: 'ok' });
  });
});
