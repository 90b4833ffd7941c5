/**
 * The gateway's fallback paths against the real SDK clients: timeouts, connection failures,
 * providers that are not enabled or configured, invalid replies, and an exhausted chain.
 */
import { describe, expect, it } from 'vitest';
import { ModelChainExhausted } from '../../../functions/shared/errors.js';
import { GatewayChainExhausted, generate, OFFLINE_HEADER } from '../../../functions/gateway/model-gateway.js';
import { ref } from './fixtures.js';
import { bedrockError, chatOk, openaiError, startFakeServer } from '../../support/fake-model-servers.js';
import { BASE_REQUEST, useFakeProviders } from './harness.js';

const h = useFakeProviders();

describe('generate: fallback and failure', () => {
  it('times out a hanging provider and falls back', async () => {
    h.bedrock.script('hang');
    h.openai.script('hang');
    const result = await generate(
      {
        ...BASE_REQUEST,
        chain: [ref('bedrock', 'm-1', { timeoutMs: 300, maxAttempts: 1 }), ref('openai', 'gpt-4o-mini', { timeoutMs: 300, maxAttempts: 1 }), ref('offline')],
      },
      { sleep: h.sleep },
    );
    expect(result.attempts.map((a) => [a.provider, a.outcome, a.errorKind])).toEqual([
      ['bedrock', 'failed', 'timeout'],
      ['openai', 'failed', 'timeout'],
      ['offline', 'ok', undefined],
    ]);
    expect(result.text.startsWith(OFFLINE_HEADER)).toBe(true);
  });

  it('records connection failures as retryable connection errors', async () => {
    const gone = await startFakeServer(chatOk('unused'));
    await gone.close();
    process.env.OPENAI_BASE_URL = `${gone.url}/v1`;
    const result = await generate({ ...BASE_REQUEST, chain: [ref('openai', 'gpt-4o-mini'), ref('bedrock', 'm-1')] }, { sleep: h.sleep });
    expect(result.attempts.map((a) => [a.provider, a.outcome, a.errorKind])).toEqual([
      ['openai', 'failed', 'connection'],
      ['openai', 'failed', 'connection'],
      ['bedrock', 'ok', undefined],
    ]);
  });

  it('throws ModelChainExhausted carrying every attempt when all models fail', async () => {
    h.bedrock.script(bedrockError(503, 'ServiceUnavailableException'), bedrockError(503, 'ServiceUnavailableException'));
    h.openai.script(openaiError(401, 'bad key'));
    const error = await generate({ ...BASE_REQUEST, chain: [ref('bedrock', 'm-1'), ref('openai', 'gpt-4o-mini')] }, { sleep: h.sleep }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ModelChainExhausted);
    expect(error).toBeInstanceOf(GatewayChainExhausted);
    const exhausted = error as GatewayChainExhausted;
    expect(exhausted.name).toBe('ModelChainExhausted');
    expect(exhausted.attempts.map((a) => [a.provider, a.attempt, a.errorKind])).toEqual([
      ['bedrock', 1, 'server_error'],
      ['bedrock', 2, 'server_error'],
      ['openai', 1, 'client_error'],
    ]);
    expect(exhausted.message).toContain('bedrock/m-1 #2 failed (server_error)');
    expect(exhausted.message).toContain('openai/gpt-4o-mini #1 failed (client_error)');
  });

  it('skips providers that are not enabled, without calling them', async () => {
    process.env.HANDRAIL_PROVIDERS = 'offline';
    const result = await generate({ ...BASE_REQUEST, chain: [ref('bedrock', 'm-1'), ref('openai', 'gpt-4o-mini'), ref('offline')] }, { sleep: h.sleep });
    expect(h.bedrock.requests).toHaveLength(0);
    expect(h.openai.requests).toHaveLength(0);
    expect(h.sleeps).toEqual([]);
    expect(result.attempts).toEqual([
      expect.objectContaining({ provider: 'bedrock', outcome: 'skipped', errorKind: 'not_configured', latencyMs: 0 }),
      expect.objectContaining({ provider: 'openai', outcome: 'skipped', errorKind: 'not_configured', latencyMs: 0 }),
      expect.objectContaining({ provider: 'offline', outcome: 'ok' }),
    ]);
    expect(result).toMatchObject({ provider: 'offline', model: 'offline-extractive-v1', offline: true });
  });

  it('skips openai when no API key is set, and enables all providers by default', async () => {
    delete process.env.HANDRAIL_PROVIDERS;
    delete process.env.OPENAI_API_KEY;
    const result = await generate({ ...BASE_REQUEST, chain: [ref('openai', 'gpt-4o-mini'), ref('bedrock', 'm-1')] }, { sleep: h.sleep });
    expect(h.openai.requests).toHaveLength(0);
    expect(result.attempts[0]).toMatchObject({ outcome: 'skipped', errorKind: 'not_configured', error: "no OpenAI key (OPENAI_API_KEY, or the stage's OpenAiSecret)" });
    expect(result.provider).toBe('bedrock');
  });

  it('treats an empty completion as an invalid response and moves on', async () => {
    h.openai.script(chatOk(''));
    const result = await generate({ ...BASE_REQUEST, chain: [ref('openai', 'gpt-4o-mini'), ref('bedrock', 'm-1')] }, { sleep: h.sleep });
    expect(result.attempts.map((a) => a.errorKind ?? a.outcome)).toEqual(['invalid_response', 'ok']);
  });
});
