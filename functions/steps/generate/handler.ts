/**
 * Lambda: drafts text through the model gateway and records provider, model, tokens, cost and
 * attempts. With `outputSchema`, the reply is parsed and validated (one repair) and the object is
 * the step's `output`, which route conditions read as `steps.<id>.output.<field>`.
 */
import { generate, type GenerateResult } from '../../gateway/model-gateway.js';
import { generateStructured } from '../../gateway/structured-generate.js';
import { StructuredOutputInvalid } from '../../gateway/structured-output.js';
import { evaluateGates, type GateResult } from '../../quality/gates.js';
import { putStepRecord, type StepRecord } from '../../records/runs.js';
import { stepHandler } from '../../shared/lambda-handler.js';
import type { GenerateOutput } from '../../shared/step-contract.js';
import { renderTemplate } from '../../shared/template.js';
import { countUsage, priceStep, type Spent } from '../../usage/account.js';
import { stepEventSchema } from '../event-schema.js';
import { passagesInState } from '../passages-in-state.js';

type StepOutput = GenerateOutput & { output?: Record<string, unknown>; gates?: GateResult };

export const handler = stepHandler(stepEventSchema('generate'), async ({ step, state }): Promise<StepOutput> => {
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
  // The step record and the usage counter are independent writes: sent together, not one after the other.
  const finish = async (fields: Omit<StepRecord, keyof typeof record | 'finishedAt' | 'latencyMs'>, spent?: Spent) => {
    const finishedAt = new Date();
    const cost = spent ? priceStep(spent) : undefined;
    await Promise.all([
      putStepRecord({
        ...record,
        ...fields,
        finishedAt: finishedAt.toISOString(),
        latencyMs: finishedAt.getTime() - startedAt.getTime(),
        ...(spent && cost ? { usage: spent.usage, costUsd: cost.costUsd, ...(cost.costNote ? { costNote: cost.costNote } : {}) } : {}),
      }),
      spent && cost ? countUsage(state.run.workflowId, finishedAt, spent, cost) : undefined,
    ]);
  };
  const request = { system: step.system, prompt, passages, chain: step.models };
  try {
    const result: GenerateResult & { output?: Record<string, unknown>; repaired?: boolean } = step.outputSchema
      ? await generateStructured({ ...request, outputSchema: step.outputSchema })
      : await generate(request);
    const gates = step.gates ? evaluateGates(step.gates, result, passages) : undefined;
    const output: StepOutput = {
      text: result.text,
      provider: result.provider,
      model: result.model,
      citations: result.citations,
      ...(result.output ? { output: result.output } : {}),
      ...(gates ? { gates } : {}),
    };
    const recorded = { ...output, offline: result.offline, ...(result.repaired ? { repaired: true } : {}) };
    await finish({ status: 'succeeded', output: recorded, provider: result.provider, model: result.model, attempts: result.attempts }, result);
    return output;
  } catch (err) {
    // A failed schema check still spent tokens on one or two calls: they are priced and counted too.
    const invalid = err instanceof StructuredOutputInvalid ? err : undefined;
    await finish(
      {
        status: 'failed',
        attempts: (err as { attempts?: unknown[] }).attempts,
        error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
        ...(invalid ? { validationErrors: invalid.validationErrors, provider: invalid.spent?.provider, model: invalid.spent?.model } : {}),
      },
      invalid?.spent,
    );
    throw err;
  }
});
