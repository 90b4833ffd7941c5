/**
 * Lambda: the deliver function of a workflow that writes knowledge (a deliver step's `knowledge`
 * target, knowledge-delivery.ts). One per such workflow, whose role may write only the collections
 * that name the workflow as a publisher (infra/constructs/step-handlers.ts publisherFor); it sends
 * nothing anywhere else. A run already delivered is never written again.
 */
import { ValidationError } from '../../shared/errors.js';
import { updateRun } from '../../records/runs.js';
import type { StepOf } from '../../../state-machines/schema.js';
import { stepTaskHandler } from '../step-task.js';
import { deliverToKnowledge } from './knowledge-delivery.js';

/** The earlier step it reads: the proposal (the generate step the edit came from), besides the decided approval. */
const knowledgeReads = (step: StepOf<'deliver'>): string[] => (step.knowledge ? [step.knowledge.documentFrom] : []);

export const handler = stepTaskHandler('deliver', undefined, async ({ step, state, record }) => {
  if (!step.knowledge) throw new ValidationError(`deliver ${step.id}: this function writes knowledge only; the step names no knowledge target`, 'step.knowledge');
  if (record.delivery?.status === 'delivered') return { status: 'delivered', deliveredAt: record.delivery.deliveredAt, duplicate: true };
  // A replay (functions/replays/) writes nothing: the step says what it would have written.
  if (state.run.replay) {
    await updateRun(state.run.runId, { status: 'completed', releaseId: state.run.releaseId });
    return { status: 'not_delivered', replay: true, wouldDeliverTo: `knowledge:${step.knowledge.collection}`, length: state.approval?.text.length ?? 0 };
  }
  return deliverToKnowledge({ ...step, knowledge: step.knowledge }, state, record);
}, knowledgeReads);
