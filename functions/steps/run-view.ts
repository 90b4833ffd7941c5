/**
 * What a step sees of its run. The execution state carries only what Choice states read
 * (step-contract.ts `ExecutionState`); everything else was stored once, when it was produced: the
 * input on the run record, each step's output on its step record, the decided text on the
 * approval. A step reads them back here, strongly consistent, by key: the run record, the records
 * of the steps its state says have run and, after a decision, the approval (one BatchGetItem, shared
 * with concurrent steps' reads: records/consistent-reads.ts), and sees the run as a whole (`StateData`).
 * A step kind that reads only some earlier steps names them (`reads`, step-task.ts): the others'
 * records are not read, and the step sees of them only what the execution state carries.
 */
import { resumeMessage } from '../approvals/approval-outcome.js';
import { getApproval } from '../records/approvals.js';
import { getRunAndSteps, type RunRecord } from '../records/runs.js';
import { NotFoundError } from '../shared/errors.js';
import type { ApprovalOutcome, ExecutionState, StateData } from '../shared/step-contract.js';

export interface RunView {
  readonly state: StateData;
  /** The run record as read (its status, delivery). */
  readonly record: RunRecord;
}

async function decidedOutcome(approvalId: string): Promise<ApprovalOutcome> {
  const approval = await getApproval(approvalId);
  const message = approval ? resumeMessage(approval) : undefined;
  if (message?.kind !== 'success') throw new NotFoundError(`Approval ${approvalId} has no approved decision on record, yet the run went on as approved`);
  return message.output;
}

/** `reads`: the earlier steps whose records the step uses (default: every step that has run). */
export async function loadRunView(state: ExecutionState, reads?: readonly string[]): Promise<RunView> {
  const { runId } = state.run;
  const stepIds = Object.keys(state.steps).filter((stepId) => !reads || reads.includes(stepId));
  const [found, approval] = await Promise.all([getRunAndSteps(runId, stepIds), state.approval ? decidedOutcome(state.approval.approvalId) : undefined]);
  if (!found) throw new NotFoundError(`Run ${runId} has no record, so its steps cannot read its input`);
  // Failed steps recorded no output: the state has none for them either.
  const outputs = Object.fromEntries(found.steps.filter((s) => s.status === 'succeeded' && s.output !== undefined).map((s) => [s.stepId, s.output]));
  const { approval: _ref, ...rest } = state;
  return {
    state: { ...rest, input: found.run.input, steps: { ...state.steps, ...outputs }, ...(approval ? { approval } : {}) },
    record: found.run,
  };
}
