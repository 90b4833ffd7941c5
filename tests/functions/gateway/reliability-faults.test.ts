/**
 * Scripted faults on the fake Bedrock and OpenAI servers, through the real SDK clients: the exact
 * attempt sequence (provider, attempt, outcome, errorKind) and the provider that finally answered.
 * Cooldowns are off here (HANDRAIL_COOLDOWN_FAILURES=0) so each test shows one fault path alone;
 * cooldown.test.ts covers them.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { GatewayChainExhausted, generate } from '../../../functions/gateway/model-gateway.js';
import { bedrockError, openaiError } from '../../support/fake-model-servers.js';
import { bedrockContentFiltered, bedrockTooLong, openaiCoded, openaiContentFiltered, openaiContextTooLong } from './faults.js';
import { ref } from './fixtures.js';
import { BASE_REQUEST, useFakeProviders } from './harness.js';
import { startRawServer } from './raw-server.js';

const h = useFakeProviders();
const seq = (attempts: { provider: string; attempt: number; outcome: string; errorKind?: string }[]) =>
  attempts.map((a) => [a.provider, a.attempt, a.outcome, a.errorKind]);
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as GatewayChainExhausted);

beforeEach(() => {
  process.env.HANDRAIL_COOLDOWN_FAILURES = '0';
});

describe('model reliability: scripted faults', () => {
  it('retries 429 (honouring Retry-After), 500 and a hang on Bedrock, then skips malformed OpenAI JSON for offline', async () => {
    h.bedrock.script({ status: 429, headers: { 'retry-after': '1' }, body: { message: 'slow down' } }, bedrockError(500, 'InternalServerException'), 'hang');
    const raw = await startRawServer('{"id":"chatcmpl-1","choices":[{"message":{"content":"trunc');
    process.env.OPENAI_BASE_URL = `${raw.url}/v1`;
    try {
      const chain = [ref('bedrock', 'm-1', { maxAttempts: 3, timeoutMs: 300 }), ref('openai', 'gpt-4o-mini'), ref('offline')];
      const result = await generate({ ...BASE_REQUEST, chain }, { sleep: h.sleep });
      expect(seq(result.attempts)).toEqual([
        ['bedrock', 1, 'failed', 'throttled'],
        ['bedrock', 2, 'failed', 'server_error'],
        ['bedrock', 3, 'failed', 'timeout'],
        ['openai', 1, 'failed', 'invalid_response'],
        ['offline', 1, 'ok', undefined],
      ]);
      expect(result.provider).toBe('offline');
      expect(h.sleeps[0]).toBe(1000);
      expect(h.sleeps).toHaveLength(2);
      expect(raw.hits()).toBe(1); // a malformed reply is not retried on the same model
      for (const a of result.attempts) expect(a.latencyMs).toBeGreaterThanOrEqual(0);
    } finally {
      await raw.close();
    }
  });

  it('treats malformed Bedrock JSON as an invalid response and falls back to OpenAI', async () => {
    const raw = await startRawServer('{"output":{"message":{"content":[{"text":"cut', 'h2c');
    process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME = raw.url;
    try {
      const result = await generate({ ...BASE_REQUEST, chain: [ref('bedrock', 'm-1'), ref('openai', 'gpt-4o-mini')] }, { sleep: h.sleep });
      expect(seq(result.attempts)).toEqual([
        ['bedrock', 1, 'failed', 'invalid_response'],
        ['openai', 1, 'ok', undefined],
      ]);
      expect(result.provider).toBe('openai');
    } finally {
      await raw.close();
    }
  });

  it('falls back on content filters without retrying the filtered model', async () => {
    h.bedrock.script(bedrockContentFiltered());
    h.openai.script(openaiContentFiltered());
    const result = await generate({ ...BASE_REQUEST, chain: [ref('bedrock', 'm-1'), ref('openai', 'gpt-4o-mini'), ref('offline')] }, { sleep: h.sleep });
    expect(seq(result.attempts)).toEqual([
      ['bedrock', 1, 'failed', 'content_policy'],
      ['openai', 1, 'failed', 'content_policy'],
      ['offline', 1, 'ok', undefined],
    ]);
    expect([h.bedrock.requests.length, h.openai.requests.length, h.sleeps.length]).toEqual([1, 1, 0]);
  });

  it('classifies guardrails and policy errors as content_policy too', async () => {
    h.bedrock.script(bedrockContentFiltered('guardrail_intervened'));
    h.openai.script(openaiCoded(400, 'content_policy_violation', 'Your request was rejected as a result of our safety system.'));
    const result = await generate({ ...BASE_REQUEST, chain: [ref('bedrock', 'm-1'), ref('openai', 'gpt-4o-mini'), ref('bedrock', 'm-2')] }, { sleep: h.sleep });
    expect(seq(result.attempts)).toEqual([
      ['bedrock', 1, 'failed', 'content_policy'],
      ['openai', 1, 'failed', 'content_policy'],
      ['bedrock', 1, 'ok', undefined],
    ]);
    expect(result.model).toBe('m-2');
  });

  it('falls back on context-window errors from both providers, never retrying them', async () => {
    h.bedrock.script(bedrockTooLong());
    h.openai.script(openaiContextTooLong());
    const result = await generate({ ...BASE_REQUEST, chain: [ref('bedrock', 'small'), ref('openai', 'gpt-4o-mini'), ref('offline')] }, { sleep: h.sleep });
    expect(seq(result.attempts)).toEqual([
      ['bedrock', 1, 'failed', 'context_window'],
      ['openai', 1, 'failed', 'context_window'],
      ['offline', 1, 'ok', undefined],
    ]);
    expect(result.attempts[1]!.error).toContain('context_length_exceeded');
    expect(h.sleeps).toEqual([]);
  });

  it('stops the chain when a failure is not in the model ref fallbackOn', async () => {
    h.bedrock.script(bedrockContentFiltered());
    const chain = [ref('bedrock', 'm-1', { fallbackOn: ['throttled', 'timeout', 'server_error'] }), ref('openai', 'gpt-4o-mini'), ref('offline')];
    const error = await failure(generate({ ...BASE_REQUEST, chain }, { sleep: h.sleep }));
    expect(error).toBeInstanceOf(GatewayChainExhausted);
    expect(error!.name).toBe('ModelChainExhausted');
    expect(error!.message).toContain('Stopped at bedrock/m-1: content_policy is not in its fallbackOn');
    expect(seq(error!.attempts)).toEqual([['bedrock', 1, 'failed', 'content_policy']]);
    expect(h.openai.requests).toHaveLength(0);
  });

  it('still falls back on the kinds fallbackOn lists', async () => {
    h.bedrock.script(bedrockError(503, 'ServiceUnavailableException'));
    const chain = [ref('bedrock', 'm-1', { maxAttempts: 1, fallbackOn: ['server_error'] }), ref('openai', 'gpt-4o-mini')];
    const result = await generate({ ...BASE_REQUEST, chain }, { sleep: h.sleep });
    expect(seq(result.attempts)).toEqual([
      ['bedrock', 1, 'failed', 'server_error'],
      ['openai', 1, 'ok', undefined],
    ]);
  });

  it('never answers offline unless the chain lists it', async () => {
    h.bedrock.script(bedrockError(503, 'ServiceUnavailableException'), bedrockError(503, 'ServiceUnavailableException'));
    h.openai.script(openaiError(500, 'down'), openaiError(500, 'down'));
    const error = await failure(generate({ ...BASE_REQUEST, chain: [ref('bedrock', 'm-1'), ref('openai', 'gpt-4o-mini')] }, { sleep: h.sleep }));
    expect(error).toBeInstanceOf(GatewayChainExhausted);
    expect(error!.attempts.map((a) => a.provider)).toEqual(['bedrock', 'bedrock', 'openai', 'openai']);
  });
});
