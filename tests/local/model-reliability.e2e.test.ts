/**
 * Model reliability end to end on the local runtime, with fake Bedrock and OpenAI servers: a
 * structured-output generate step (fallback, fenced JSON, repair, content filter and context
 * window → offline, a quality failure) routed by a field of its output, with cost on each step,
 * run totals, and GET /usage totals matching the price table.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime.js';
import { bedrockContentFiltered, openaiContextTooLong } from '../functions/gateway/faults.js';
import { bedrockError, chatOk, converseOk, startFakeServer, type FakeServer } from '../support/fake-model-servers.js';
import { client, startSignedReceiver, startTestRuntime, waitFor } from '../support/local-runtime.js';

const fixtures = fileURLToPath(new URL('../fixtures/reliability-workflows', import.meta.url));
let rt: LocalRuntime;
let api: ReturnType<typeof client>;
let bedrock: FakeServer;
let openai: FakeServer;
let receiver: Awaited<ReturnType<typeof startSignedReceiver>>;
const runIds: string[] = [];

async function runTicket(subject: string, body: string, statuses: string[]) {
  const { runId } = (await api.post('/webhooks/reliability-triage', { subject, body })).body;
  runIds.push(runId);
  const run = await waitFor(async () => {
    const r = await api.get(`/runs/${runId}`);
    return statuses.includes(r.body?.status) && r.body;
  }, `run ${runId} to reach ${statuses.join('|')}`);
  return { run, classify: run.steps.find((s: any) => s.stepId === 'classify') };
}
const seq = (step: any) => step.attempts.map((a: any) => [a.provider, a.outcome, a.errorKind ?? a.purpose]);

beforeAll(async () => {
  bedrock = await startFakeServer(converseOk('{"category":"other","summary":"default"}'), 'h2c');
  openai = await startFakeServer(chatOk('{"category":"other","summary":"default"}'));
  rt = await startTestRuntime({
    workflowsDir: fixtures,
    env: {
      HANDRAIL_PROVIDERS: 'bedrock,openai,offline',
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.url,
      OPENAI_API_KEY: 'test-key',
      OPENAI_BASE_URL: `${openai.url}/v1`,
      HANDRAIL_PRICES_FILE: `${fixtures}/prices/test-prices.yaml`,
      HANDRAIL_DELIVERY_BACKOFF_MS: '10',
    },
  });
  api = client(rt);
  receiver = await startSignedReceiver(rt.deliverySecret);
  process.env.RELIABILITY_TRIAGE_URL = receiver.url;
});

afterAll(async () => {
  await rt?.stop();
  await Promise.all([bedrock?.close(), openai?.close(), receiver?.close()]);
});

describe('model reliability on the local runtime', () => {
  it('falls back from a throttled Bedrock, parses fenced JSON, and routes billing to a human', async () => {
    bedrock.script(bedrockError(429, 'ThrottlingException'));
    openai.script(chatOk('```json\n{"category":"billing","summary":"Refund for an annual plan"}\n```'));
    const { run, classify } = await runTicket('Refund', 'Please refund my annual plan', ['awaiting_approval']);
    expect(seq(classify)).toEqual([
      ['bedrock', 'failed', 'throttled'],
      ['openai', 'ok', undefined],
    ]);
    expect(classify.output.output).toEqual({ category: 'billing', urgent: false, summary: 'Refund for an annual plan' });
    // openai gpt-test: 13 × $0.5 + 9 × $1.5 per 1K tokens
    expect(classify).toMatchObject({ provider: 'openai', usage: { inputTokens: 13, outputTokens: 9 }, costUsd: 0.02 });
    expect(run.approvals).toHaveLength(1);
    expect(run.usage).toMatchObject({ inputTokens: 13, outputTokens: 9, costUsd: 0.02 });
  });

  it('repairs invalid output on the same model once, then routes by the repaired field', async () => {
    bedrock.script(converseOk('It is a technical question.'), converseOk('{"category":"technical","summary":"Cannot log in"}'));
    const { run, classify } = await runTicket('Login', 'I cannot log in', ['delivered']);
    expect(seq(classify)).toEqual([
      ['bedrock', 'ok', undefined],
      ['bedrock', 'ok', 'repair'],
    ]);
    expect(classify.output).toMatchObject({ repaired: true, output: { category: 'technical' } });
    // two bedrock calls: 22 × $1 + 14 × $2 per 1K tokens
    expect(classify).toMatchObject({ usage: { inputTokens: 22, outputTokens: 14 }, costUsd: 0.05 });
    expect(run.approvals).toHaveLength(0);
    expect(receiver.received.find((r) => r.body.runId === run.runId)).toBeDefined();
  });

  it('falls back past a content filter and a context-window error to offline, which satisfies the schema', async () => {
    bedrock.script(bedrockContentFiltered());
    openai.script(openaiContextTooLong());
    const { classify } = await runTicket('Technical question', 'How do I reset my password?', ['delivered']);
    expect(seq(classify)).toEqual([
      ['bedrock', 'failed', 'content_policy'],
      ['openai', 'failed', 'context_window'],
      ['offline', 'ok', undefined],
    ]);
    expect(classify.output.output).toMatchObject({ category: 'technical', urgent: false });
    expect(classify.costUsd).toBe(0);
  });

  it('puts the run in the human queue with StructuredOutputInvalid when the repair is invalid too; nothing is sent, the tokens are counted', async () => {
    bedrock.script(converseOk('{"category":"sales"}'), converseOk('{"category":"still sales"}'));
    const { run, classify } = await runTicket('Pricing', 'What does it cost?', ['needs_human']);
    expect(run.error.error).toBe('StructuredOutputInvalid');
    expect(run.audit.find((e: any) => e.type === 'run.needs_human').details.error).toBe('StructuredOutputInvalid');
    const queue = await api.get('/runs?workflowId=reliability-triage&status=needs_human');
    expect(queue.body.runs.map((r: any) => r.runId)).toContain(run.runId);
    expect(classify).toMatchObject({ status: 'failed', costUsd: 0.05, validationErrors: expect.arrayContaining([expect.stringContaining('category')]) });
    expect(receiver.received.find((r) => r.body.runId === run.runId)).toBeUndefined();
  });

  it('GET /usage totals the workflow: tokens as the runs recorded them, cost as the price table says', async () => {
    const runs = await Promise.all(runIds.map(async (id) => (await api.get(`/runs/${id}`)).body));
    const input = runs.reduce((n, r) => n + r.usage.inputTokens, 0);
    const output = runs.reduce((n, r) => n + r.usage.outputTokens, 0);
    const all = (await api.get('/usage?workflowId=reliability-triage')).body;
    expect(all.totals).toMatchObject({ inputTokens: input, outputTokens: output, costUsd: 0.12, steps: 4, unpricedSteps: 0 });
    // Fallbacks: the model steps that a later model of their chain than the first answered
    const fellBack = runs.flatMap((r) => r.steps).filter((s: any) => s.attempts?.length && s.provider && (s.attempts[0].provider !== s.provider || s.attempts[0].model !== s.model)).length;
    expect(fellBack).toBeGreaterThan(0);
    expect(all.breakdown.reduce((n: number, r: any) => n + r.fallbacks, 0)).toBe(fellBack);
    const day = all.breakdown[all.breakdown.length - 1].day;
    const oneDay = await api.get(`/usage?workflowId=reliability-triage&day=${day}`);
    expect(oneDay.status).toBe(200);
    expect(oneDay.body.breakdown[0]).toMatchObject({ workflowId: 'reliability-triage', day });
    expect((await api.get(`/usage?day=${day}`)).body.breakdown.map((r: any) => r.workflowId)).toContain('reliability-triage');
  });
});
