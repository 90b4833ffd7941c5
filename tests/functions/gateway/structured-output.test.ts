/**
 * Structured output: JSON extraction and schema validation, the offline provider's deterministic
 * objects, and the one repair turn against the fake servers (succeeds, fails, same model).
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { composeOfflineObject } from '../../../functions/gateway/providers/offline-structured.js';
import { generateStructured } from '../../../functions/gateway/structured-generate.js';
import { checkStructured, extractJson, QualityFailure, StructuredOutputInvalid } from '../../../functions/gateway/structured-output.js';
import { HandrailError } from '../../../functions/shared/errors.js';
import { workflowSchema } from '../../../state-machines/schema.js';
import { parseWorkflow } from '../../../state-machines/load-workflow.js';
import { chatOk, converseOk, openaiError } from '../../support/fake-model-servers.js';
import { ref } from './fixtures.js';
import { BASE_REQUEST, useFakeProviders } from './harness.js';

const h = useFakeProviders();

const TRIAGE = {
  type: 'object',
  required: ['category', 'urgent', 'confidence', 'summary'],
  properties: {
    category: { type: 'string', enum: ['billing', 'technical support', 'other'] },
    urgent: { type: 'boolean' },
    confidence: { type: 'number', minimum: 0, maximum: 1 },
    summary: { type: 'string', maxLength: 60 },
    language: { type: 'string', default: 'en' },
    note: { type: 'string' },
  },
};
const GOOD = { category: 'billing', urgent: true, confidence: 0.9, summary: 'Refund request' };

describe('checkStructured', () => {
  it('parses JSON inside code fences or prose and validates it', () => {
    expect(extractJson('```json\n{"a":1}\n```')).toBe('{"a":1}');
    expect(extractJson('Here you go: {"a":1} hope it helps')).toBe('{"a":1}');
    // zod's converter applies the schema's defaults, so the object the route reads is complete.
    expect(checkStructured(`\`\`\`\n${JSON.stringify(GOOD)}\n\`\`\``, TRIAGE)).toEqual({ ok: true, value: { ...GOOD, language: 'en' } });
  });

  it('lists what is wrong, by field', () => {
    const bad = checkStructured(JSON.stringify({ category: 'sales', urgent: 'yes', confidence: 3 }), TRIAGE);
    expect(bad.ok).toBe(false);
    const errors = (bad as { errors: string[] }).errors;
    expect(errors.some((e) => e.startsWith('category:'))).toBe(true);
    expect(errors.some((e) => e.startsWith('urgent:'))).toBe(true);
    expect(errors.some((e) => e.startsWith('confidence:'))).toBe(true);
    expect(errors.some((e) => e.startsWith('summary:'))).toBe(true);
    expect(checkStructured('not json at all', TRIAGE)).toMatchObject({ ok: false, errors: [expect.stringContaining('not valid JSON')] });
    expect(checkStructured('[1,2]', TRIAGE)).toMatchObject({ ok: false });
  });

  it('is checked when the workflow loads: the schema must be an object schema zod can convert', () => {
    const wf = (outputSchema: unknown) => ({
      id: 'wf',
      name: 'wf',
      input: {},
      steps: [{ id: 'g', kind: 'generate', prompt: 'p', models: [{ provider: 'offline' }], outputSchema }],
    });
    expect(workflowSchema.safeParse(wf(TRIAGE)).success).toBe(true);
    expect(workflowSchema.safeParse(wf({ type: 'string' })).error?.issues[0]?.message).toContain('type: object');
    // A schema the converter cannot handle fails the workflow file's load (the synth, the local runtime), naming the step.
    expect(workflowSchema.safeParse(wf({ type: 'object', if: {} })).success).toBe(true);
    expect(() => parseWorkflow(JSON.stringify(wf({ type: 'object', if: {} })), 'wf.yaml')).toThrow(/wf\.yaml: steps\.0\.outputSchema: outputSchema is not a JSON Schema Handrail can check/);
    expect(parseWorkflow(JSON.stringify(wf(TRIAGE)), 'wf.yaml').definition.id).toBe('wf');
  });
});

describe('offline structured output', () => {
  it('fills required fields deterministically: enum named in the request, defaults, lowest numbers, the draft', () => {
    const value = composeOfflineObject(TRIAGE, 'My technical support ticket about login', 'Use the reset link [1].');
    expect(value).toEqual({ category: 'technical support', urgent: false, confidence: 0, summary: 'Use the reset link [1].', language: 'en' });
    expect(checkStructured(JSON.stringify(value), TRIAGE).ok).toBe(true);
    expect(composeOfflineObject(TRIAGE, 'Where is my parcel?', 'x').category).toBe('billing');
  });

  it('answers a structured request with no network and no repair', async () => {
    const result = await generateStructured({ ...BASE_REQUEST, prompt: 'billing: reset my password', chain: [ref('offline')], outputSchema: TRIAGE }, { sleep: h.sleep });
    expect(result).toMatchObject({ provider: 'offline', repaired: false, output: { category: 'billing', urgent: false, language: 'en' } });
    expect((result.output.summary as string).length).toBeLessThanOrEqual(60);
  });
});

describe('zod schemas in code', () => {
  const Triage = z.object({ category: z.enum(['billing', 'technical support', 'other']), urgent: z.boolean(), confidence: z.number().min(0).max(1) }).strict();

  it('shows the model the zod schema as JSON Schema and validates the reply with it', async () => {
    h.openai.script(chatOk('{"category":"other","urgent":"no","confidence":0.5}'), chatOk('{"category":"other","urgent":false,"confidence":0.5}'));
    const result = await generateStructured({ ...BASE_REQUEST, chain: [ref('openai', 'gpt-4o-mini')], outputSchema: Triage }, { sleep: h.sleep });
    expect(result).toMatchObject({ repaired: true, output: { category: 'other', urgent: false, confidence: 0.5 } });
    const system = h.openai.requests[0]!.body.messages[0].content as string;
    expect(system).toContain('"enum":["billing","technical support","other"]');
    expect(system).not.toContain('$schema');
    expect(h.openai.requests[1]!.body.messages.at(-1).content).toContain('urgent:');
  });

  it('is filled deterministically by the offline provider', async () => {
    const result = await generateStructured({ ...BASE_REQUEST, prompt: 'technical support: the export fails', chain: [ref('offline')], outputSchema: Triage }, { sleep: h.sleep });
    expect(Triage.parse(result.output)).toEqual({ category: 'technical support', urgent: false, confidence: 0 });
  });
});

describe('repair', () => {
  it('sends the validation errors back to the same model once, and accepts the repaired reply', async () => {
    h.openai.script(chatOk('The category is billing.', 20, 5), chatOk(`\`\`\`json\n${JSON.stringify(GOOD)}\n\`\`\``, 40, 12));
    const result = await generateStructured({ ...BASE_REQUEST, chain: [ref('openai', 'gpt-4o-mini'), ref('offline')], outputSchema: TRIAGE }, { sleep: h.sleep });
    expect(result).toMatchObject({ provider: 'openai', repaired: true, output: GOOD, usage: { inputTokens: 60, outputTokens: 17 } });
    expect(result.attempts.map((a) => [a.provider, a.outcome, a.purpose])).toEqual([
      ['openai', 'ok', undefined],
      ['openai', 'ok', 'repair'],
    ]);
    const [first, repair] = h.openai.requests.map((r) => r.body.messages);
    expect(first[0].content).toContain('Reply with only a JSON object');
    expect(repair.map((m: { role: string }) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(repair[2].content).toBe('The category is billing.');
    expect(repair[3].content).toContain('not valid JSON');
  });

  it('repairs on the model that answered, not the first in the chain', async () => {
    h.openai.script(openaiError(503, 'down'), openaiError(503, 'down'));
    h.bedrock.script(converseOk('{"category":"sales"}'), converseOk(JSON.stringify(GOOD)));
    const result = await generateStructured({ ...BASE_REQUEST, chain: [ref('openai', 'gpt-4o-mini'), ref('bedrock', 'm-1')], outputSchema: TRIAGE }, { sleep: h.sleep });
    expect(result).toMatchObject({ provider: 'bedrock', repaired: true, output: GOOD });
    expect(result.attempts.map((a) => [a.provider, a.outcome, a.purpose])).toEqual([
      ['openai', 'failed', undefined],
      ['openai', 'failed', undefined],
      ['bedrock', 'ok', undefined],
      ['bedrock', 'ok', 'repair'],
    ]);
    expect(h.openai.requests).toHaveLength(2);
    const repair = h.bedrock.requests[1]!.body.messages;
    expect(repair.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(repair[2].content[0].text).toContain('category:');
  });

  it('fails with a typed, non-retryable StructuredOutputInvalid when the repair is still invalid', async () => {
    h.openai.script(chatOk('{"category":"sales"}', 20, 5), chatOk('{"category":"still sales"}', 30, 6));
    const error = await generateStructured({ ...BASE_REQUEST, chain: [ref('openai', 'gpt-4o-mini'), ref('offline')], outputSchema: TRIAGE }, { sleep: h.sleep }).then(
      () => undefined,
      (e: unknown) => e as StructuredOutputInvalid,
    );
    expect(error).toBeInstanceOf(StructuredOutputInvalid);
    expect(error).toBeInstanceOf(QualityFailure);
    expect(error).toBeInstanceOf(HandrailError);
    expect(error!.name).toBe('StructuredOutputInvalid');
    expect(error!.retryable).toBe(false);
    expect(error!.validationErrors.some((e) => e.startsWith('category:'))).toBe(true);
    expect(error!.attempts).toHaveLength(2);
    expect(error!.spent).toEqual({ provider: 'openai', model: 'gpt-4o-mini', usage: { inputTokens: 50, outputTokens: 11 } });
    expect(h.openai.requests).toHaveLength(2); // offline is not a second chance: one repair, then a quality failure
  });
});
