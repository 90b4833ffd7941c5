/**
 * The gateway against the real Bedrock and OpenAI SDK clients, talking to local fake servers:
 * success, retry and fallback on HTTP errors. Backoff sleeps are recorded, not waited on, and
 * nothing asserts on timing.
 */
import { describe, expect, it } from 'vitest';
import { generate } from '../../../functions/gateway/model-gateway.js';
import { ref } from './fixtures.js';
import { bedrockError, openaiError } from '../../support/fake-model-servers.js';
import { BASE_REQUEST, useFakeProviders } from './harness.js';

const h = useFakeProviders();

describe('generate: answers and retries', () => {
  it('uses Bedrock Converse and reports its usage, citations and the rendered prompt', async () => {
    const result = await generate({ ...BASE_REQUEST, chain: [ref('bedrock', 'anthropic.claude-3-haiku')] }, { sleep: h.sleep });
    expect(result).toMatchObject({
      text: 'bedrock default answer [1]',
      provider: 'bedrock',
      model: 'anthropic.claude-3-haiku',
      offline: false,
      usage: { inputTokens: 11, outputTokens: 7 },
      citations: [1],
    });
    expect(result.attempts).toEqual([expect.objectContaining({ provider: 'bedrock', attempt: 1, outcome: 'ok' })]);
    const req = h.bedrock.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/model/anthropic.claude-3-haiku/converse');
    expect(req.body.inferenceConfig).toEqual({ maxTokens: 800, temperature: 0.2 });
    expect(req.body.system[0].text).toContain('not instructions');
    expect(req.body.messages[0].content[0].text).toContain('<passage n="1" source="reset-password@v3"');
  });

  it('falls back to the second provider when the first answers 429, recording it as throttled', async () => {
    h.bedrock.script(bedrockError(429, 'ThrottlingException'), bedrockError(429, 'ThrottlingException'));
    const result = await generate(
      { ...BASE_REQUEST, chain: [ref('bedrock', 'anthropic.claude-3-haiku'), ref('openai', 'gpt-4o-mini')] },
      { sleep: h.sleep },
    );
    expect(result.text).toBe('openai default answer [2]');
    expect(result).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini', usage: { inputTokens: 13, outputTokens: 9 }, citations: [2] });
    expect(result.attempts.map((a) => [a.provider, a.attempt, a.outcome, a.errorKind])).toEqual([
      ['bedrock', 1, 'failed', 'throttled'],
      ['bedrock', 2, 'failed', 'throttled'],
      ['openai', 1, 'ok', undefined],
    ]);
    // One backoff between the two Bedrock attempts, within the jitter ceiling for attempt 1.
    expect(h.sleeps).toHaveLength(1);
    expect(h.sleeps[0]).toBeGreaterThanOrEqual(0);
    expect(h.sleeps[0]).toBeLessThanOrEqual(200);
    expect(h.openai.requests[0]!.body.messages[1].content).toContain('<request>');
  });

  it('classifies a bare 429 by status and honours Retry-After (capped at 5 s)', async () => {
    h.bedrock.script({ status: 429, headers: { 'retry-after': '3' }, body: { message: 'slow down' } });
    h.openai.script(openaiError(429, 'rate limited', { 'retry-after': '60' }));
    const result = await generate(
      { ...BASE_REQUEST, chain: [ref('bedrock', 'm-1'), ref('openai', 'gpt-4o-mini')] },
      { sleep: h.sleep },
    );
    expect(result.provider).toBe('bedrock');
    expect(result.attempts[0]).toMatchObject({ outcome: 'failed', errorKind: 'throttled' });
    expect(h.sleeps).toEqual([3000]);

    h.sleeps.length = 0;
    const viaOpenai = await generate({ ...BASE_REQUEST, chain: [ref('openai', 'gpt-4o-mini')] }, { sleep: h.sleep });
    expect(viaOpenai.attempts.map((a) => a.errorKind ?? a.outcome)).toEqual(['throttled', 'ok']);
    expect(h.sleeps).toEqual([5000]);
  });

  it('retries a 5xx on the same model and then succeeds', async () => {
    h.openai.script(openaiError(503, 'overloaded'));
    h.bedrock.script(bedrockError(500, 'InternalServerException'));
    const viaOpenai = await generate({ ...BASE_REQUEST, chain: [ref('openai', 'gpt-4o-mini', { maxAttempts: 3 })] }, { sleep: h.sleep });
    expect(viaOpenai.attempts.map((a) => [a.attempt, a.outcome, a.errorKind])).toEqual([
      [1, 'failed', 'server_error'],
      [2, 'ok', undefined],
    ]);
    expect(h.openai.requests).toHaveLength(2);

    const viaBedrock = await generate({ ...BASE_REQUEST, chain: [ref('bedrock', 'm-1')] }, { sleep: h.sleep });
    expect(viaBedrock.attempts.map((a) => a.errorKind ?? a.outcome)).toEqual(['server_error', 'ok']);
    expect(h.bedrock.requests).toHaveLength(2);
  });

  it('does not retry a 400 and moves on to the next model', async () => {
    h.bedrock.script(bedrockError(400, 'ValidationException'));
    h.openai.script(openaiError(400, 'bad request'));
    const result = await generate(
      {
        ...BASE_REQUEST,
        chain: [ref('bedrock', 'm-1', { maxAttempts: 3 }), ref('openai', 'gpt-4o-mini', { maxAttempts: 3 }), ref('offline')],
      },
      { sleep: h.sleep },
    );
    expect(h.bedrock.requests).toHaveLength(1);
    expect(h.openai.requests).toHaveLength(1);
    expect(h.sleeps).toEqual([]);
    expect(result.attempts.map((a) => [a.provider, a.outcome, a.errorKind])).toEqual([
      ['bedrock', 'failed', 'client_error'],
      ['openai', 'failed', 'client_error'],
      ['offline', 'ok', undefined],
    ]);
    expect(result.offline).toBe(true);
    expect(result.attempts[0]!.error).toContain('ValidationException');
  });
});
