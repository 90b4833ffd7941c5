/** Lambda: drafts text through the model gateway and records provider, model, tokens and attempts. */
import { generate } from '../../gateway/model-gateway.js';
import { putStepRecord } from '../../records/runs.js';
import { stepHandler } from '../../shared/lambda-handler.js';
import type { GenerateOutput } from '../../shared/step-contract.js';
import { renderTemplate } from '../../shared/template.js';
import { stepEventSchema } from '../event-schema.js';
import { passagesInState } from '../passages-in-state.js';

export const handler = stepHandler(stepEventSchema('generate'), async ({ step, state }): Promise<GenerateOutput> => {
  const startedAt = new Date();
  const prompt = renderTemplate(step.prompt, state);
  const passages = passagesInState(state);
  const record = {
    runId: state.run.runId,
    stepId: step.id,
    kind: 'generate',
    startedAt: startedAt.toISOString(),
    input: { system: step.system, prompt, passageIds: passages.map((p) => p.passageId), chain: step.models },
  };
  try {
    const result = await generate({ system: step.system, prompt, passages, chain: step.models });
    const output: GenerateOutput = { text: result.text, provider: result.provider, model: result.model, citations: result.citations };
    await putStepRecord({
      ...record,
      status: 'succeeded',
      finishedAt: new Date().toISOString(),
      latencyMs: Date.now() - startedAt.getTime(),
      output: { ...output, offline: result.offline },
      provider: result.provider,
      model: result.model,
      usage: result.usage,
      attempts: result.attempts,
    });
    return output;
  } catch (err) {
    await putStepRecord({
      ...record,
      status: 'failed',
      finishedAt: new Date().toISOString(),
      latencyMs: Date.now() - startedAt.getTime(),
      attempts: (err as { attempts?: unknown[] }).attempts,
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    });
    throw err;
  }
});
