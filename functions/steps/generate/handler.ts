/**
 * Lambda: drafts text through the model gateway and records provider, model, tokens, cost and
 * attempts. With `outputSchema`, the reply is parsed and validated (one repair) and the object is
 * the step's `output`, which route conditions read as `steps.<id>.output.<field>`, and its `text` is
 * that object rendered for people (functions/shared/structured-text.ts).
 */
import { generate, type GenerateResult } from '../../gateway/model-gateway.js';
import { generateStructured } from '../../gateway/structured-generate.js';
import { StructuredOutputInvalid } from '../../gateway/structured-output.js';
import { draftConfidence, evaluateGates, type GateResult } from '../../quality/gates.js';
import { firstLineTitle, slugify } from '../../knowledge/validation.js';
import { ValidationError } from '../../shared/errors.js';
import type { GenerateOutput, RetrieveOutput, Revision, StateData } from '../../shared/step-contract.js';
import type { StepOf } from '../../../state-machines/schema.js';
import { publishGateFailures } from '../../shared/metrics.js';
import { renderTemplate } from '../../shared/template.js';
import { stepTaskHandler } from '../step-task.js';
import { modelStepRecorder } from '../model-step-record.js';
import { hasRetrieveContext, passagesInState } from '../passages-in-state.js';
import { renderStructured } from '../../shared/structured-text.js';

type StepOutput = GenerateOutput & { output?: Record<string, unknown>; gates?: GateResult };

export const handler = stepTaskHandler('generate', undefined, async ({ step, state, record }): Promise<StepOutput> => {
  const prompt = renderTemplate(step.prompt, state);
  const passages = passagesInState(state, step.context);
  const recordStep = modelStepRecorder(
    {
      runId: state.run.runId,
      stepId: step.id,
      kind: 'generate',
      startedAt: new Date(),
      input: { system: step.system, prompt, passageIds: passages.map((p) => p.passageId), chain: step.models },
    },
    record,
  );
  const revision = step.revise ? revisionOf(step, state, prompt) : undefined;
  // A step that reads no retrieve step drafts from its input alone (the offline provider summarises the prompt's text).
  const draftsFrom = hasRetrieveContext(state, step.context) ? ('passages' as const) : ('input' as const);
  const request = {
    system: step.system,
    prompt,
    passages,
    chain: step.models,
    draftsFrom,
    ...(revision ? { revision: { docId: revision.docId, title: revision.title, version: revision.baseVersion, text: revision.baseText } } : {}),
  };
  try {
    const result: GenerateResult & { output?: Record<string, unknown>; repaired?: boolean } = step.outputSchema
      ? await generateStructured({ ...request, outputSchema: step.outputSchema })
      : await generate(request);
    const confidence = step.gates?.minConfidence !== undefined ? draftConfidence(result, passages) : undefined;
    const gates = step.gates ? evaluateGates(step.gates, { ...result, confidence }, passages) : undefined;
    if (gates?.failures.length) publishGateFailures(record.workflowId, step.id, gates.failures.map((f) => f.gate));
    const output: StepOutput = {
      // Structured output: what reviewers see and deliveries send is the object rendered as text (its JSON stays on `output`).
      text: result.output ? renderStructured(result.output) : result.text,
      provider: result.provider,
      model: result.model,
      citations: result.citations,
      ...(result.output ? { output: result.output } : {}),
      ...(gates ? { gates } : {}),
      ...(revision ? { revision } : {}),
    };
    const recorded = { ...output, offline: result.offline, ...(result.repaired ? { repaired: true } : {}) };
    await recordStep({ status: 'succeeded', output: recorded, provider: result.provider, model: result.model, attempts: result.attempts }, result);
    return output;
  } catch (err) {
    // A failed schema check still spent tokens on one or two calls: they are priced and counted too.
    const invalid = err instanceof StructuredOutputInvalid ? err : undefined;
    await recordStep(
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

/**
 * The document a proposed knowledge edit revises: the one the `revise` retrieve step read whole, or,
 * when it found none, a new document named after the request's first line.
 */
function revisionOf(step: StepOf<'generate'>, state: StateData, prompt: string): Revision {
  const found = state.steps[step.revise!] as RetrieveOutput | undefined;
  if (!found) throw new ValidationError(`generate ${step.id}: the retrieve step ${step.revise} has not run`, 'step.revise');
  if (found.document) {
    const { collection, docId, version, title, text } = found.document;
    return { collection, docId, baseVersion: version, title, baseText: text };
  }
  const collection = found.collection ?? found.passages[0]?.collection ?? '';
  const title = firstLineTitle(prompt) || `Proposed by run ${state.run.runId}`;
  let docId: string;
  try {
    docId = slugify(`${title}.md`);
  } catch {
    // A title of no letters or digits (e.g. only punctuation): the run names the document.
    docId = `proposed-${state.run.runId.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`.slice(0, 128).replace(/-+$/, '');
  }
  return { collection, docId, baseVersion: 0, title, baseText: '' };
}
