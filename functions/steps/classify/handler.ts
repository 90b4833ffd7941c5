/**
 * Lambda: classifies the run's text (sentiment, topic, complexity) and a draft's confidence, so
 * `route` conditions can send it to the right people. The results are the step's output
 * (`steps.<id>.sentiment.label`, …) and are kept on the run's step record, with the model call's
 * tokens and cost when a model classified.
 */
import { classify } from '../../classifiers/classify.js';
import { topicDefinitions } from '../../classifiers/topics.js';
import type { Classification } from '../../classifiers/types.js';
import { renderTemplate } from '../../shared/template.js';
import { stepTaskHandler } from '../step-task.js';
import { modelStepRecorder } from '../model-step-record.js';
import { passagesInState } from '../passages-in-state.js';

/** Classifiers read the first 20,000 characters of the text: enough to judge a ticket, bounded in cost. */
const MAX_TEXT = 20000;

export const handler = stepTaskHandler('classify', undefined, async ({ step, state, record }): Promise<Classification> => {
  const text = renderTemplate(step.text, state).slice(0, MAX_TEXT);
  const draftOutput = step.draft ? (state.steps[step.draft] as { text?: unknown } | undefined) : undefined;
  const draft = typeof draftOutput?.text === 'string' ? draftOutput.text : undefined;
  const passages = step.classifiers.includes('confidence') ? passagesInState(state) : [];
  const recordStep = modelStepRecorder(
    {
      runId: state.run.runId,
      stepId: step.id,
      kind: 'classify',
      startedAt: new Date(),
      input: { text, classifiers: step.classifiers, ...(step.draft ? { draft: step.draft, passageIds: passages.map((p) => p.passageId) } : {}), ...(step.models ? { chain: step.models } : {}) },
    },
    record,
  );
  try {
    const outcome = await classify({
      text,
      classifiers: step.classifiers,
      topics: topicDefinitions(step.topics),
      sentimentThreshold: step.sentimentThreshold,
      draft,
      passages,
      models: step.models,
    });
    const { model, fallback, sources } = outcome;
    await recordStep(
      {
        status: 'succeeded',
        output: { ...outcome.classification, ...(fallback ? { fallback: fallback.error } : {}), ...(sources ? { sources } : {}) },
        ...(model ? { provider: model.provider, model: model.model, attempts: model.attempts } : {}),
        ...(fallback ? { provider: 'offline', model: 'classifiers', attempts: fallback.attempts } : {}),
      },
      model ? { provider: model.provider, model: model.model, usage: model.usage } : fallback?.spent,
    );
    return outcome.classification;
  } catch (err) {
    await recordStep({
      status: 'failed',
      attempts: (err as { attempts?: unknown[] }).attempts,
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    });
    throw err;
  }
});
