/**
 * The step record of a step that called models (generate, classify): what it did, plus the tokens
 * and cost of its calls. The record and the workflow's usage counter are independent writes, so
 * they are sent together, not one after the other.
 */
import type { ModelAttempt } from '../gateway/types.js';
import { putStepRecord, type RunRecord, type StepRecord } from '../records/runs.js';
import { publishUsage } from '../shared/metrics.js';
import { expiryOf } from '../shared/ttl.js';
import { countUsage, priceStep, type Spent } from '../usage/account.js';

type Base = Pick<StepRecord, 'runId' | 'stepId' | 'kind' | 'input'> & { readonly startedAt: Date };
export type ModelStepFields = Omit<StepRecord, 'runId' | 'stepId' | 'kind' | 'input' | 'startedAt' | 'finishedAt' | 'latencyMs'>;

/** Whether a later model of the chain than the first answered (the first failed, or was cooling down). */
function fellBack(attempts: readonly unknown[] | undefined, spent: Spent): boolean {
  const first = attempts?.[0] as Pick<ModelAttempt, 'provider' | 'model'> | undefined;
  return !!first && (first.provider !== spent.provider || first.model !== spent.model);
}

/** `run`: the run record the step read (its workflow counts the usage; its retention dates the record's expiry). */
export function modelStepRecorder(base: Base, run: Pick<RunRecord, 'workflowId' | 'retention'>) {
  return async (fields: ModelStepFields, spent?: Spent): Promise<void> => {
    const finishedAt = new Date();
    const cost = spent ? priceStep(spent) : undefined;
    if (spent && cost) publishUsage(run.workflowId, base.stepId, `${spent.provider}/${spent.model}`, spent.usage, cost.costUsd);
    await Promise.all([
      putStepRecord({
        ...base,
        ...fields,
        startedAt: base.startedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        latencyMs: finishedAt.getTime() - base.startedAt.getTime(),
        ...expiryOf(run.retention, 'steps', finishedAt),
        ...(spent && cost ? { usage: spent.usage, costUsd: cost.costUsd, ...(cost.costNote ? { costNote: cost.costNote } : {}) } : {}),
      }),
      spent && cost ? countUsage(run.workflowId, finishedAt, spent, cost, fellBack(fields.attempts, spent)) : undefined,
    ]);
  };
}
