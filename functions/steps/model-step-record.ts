/**
 * The step record of a step that called models (generate, classify): what it did, plus the tokens
 * and cost of its calls. The record and the workflow's usage counter are independent writes, so
 * they are sent together, not one after the other.
 */
import { putStepRecord, type StepRecord } from '../records/runs.js';
import { countUsage, priceStep, type Spent } from '../usage/account.js';

type Base = Pick<StepRecord, 'runId' | 'stepId' | 'kind' | 'input'> & { readonly startedAt: Date };
export type ModelStepFields = Omit<StepRecord, 'runId' | 'stepId' | 'kind' | 'input' | 'startedAt' | 'finishedAt' | 'latencyMs'>;

export function modelStepRecorder(base: Base, workflowId: string) {
  return async (fields: ModelStepFields, spent?: Spent): Promise<void> => {
    const finishedAt = new Date();
    const cost = spent ? priceStep(spent) : undefined;
    await Promise.all([
      putStepRecord({
        ...base,
        ...fields,
        startedAt: base.startedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        latencyMs: finishedAt.getTime() - base.startedAt.getTime(),
        ...(spent && cost ? { usage: spent.usage, costUsd: cost.costUsd, ...(cost.costNote ? { costNote: cost.costNote } : {}) } : {}),
      }),
      spent && cost ? countUsage(workflowId, finishedAt, spent, cost) : undefined,
    ]);
  };
}
