/**
 * Compiles a validated workflow definition into an ASL definition. Pure: no CDK, no I/O, so the
 * same function feeds `cdk synth` and its tests. Lambda ARNs are left as `${fn_<kind>}`
 * DefinitionSubstitutions.
 *
 * @example
 * const { definition, functionKinds } = compileWorkflow(loadWorkflowFile('support-reply.yaml').definition);
 */
import { expandReviewers, type Directory } from '../directory.js';
import { durationSeconds, type Step, type StepOf, type Workflow } from '../schema.js';
import type { AslDefinition, State } from './asl-types.js';
import type { FunctionKind } from './function-kinds.js';
import { compileGates, gatesStateName } from './gates.js';
import { compileRoute } from './route.js';
import { statePathsRead } from './state-paths.js';
import {
  approvalStateName,
  approvalTask,
  approvalTimedOutStateName,
  finalTimeoutTask,
  finishTask,
  type ApprovalLevel,
  type ApprovalPolicy,
  RUN_COMPLETED_STATE,
  RUN_DELIVERED_STATE,
  RUN_REJECTED_STATE,
  stepTask,
} from './tasks.js';

export interface CompiledWorkflow {
  readonly definition: AslDefinition;
  /** The functions the state machine invokes (its role may invoke exactly these). */
  readonly functionKinds: FunctionKind[];
}

/** Where control goes after `step`: its `next`, else the following step, else the end. */
function successor(steps: Step[], index: number): string | undefined {
  const step = steps[index]!;
  if ('end' in step && step.end) return undefined;
  if ('next' in step && step.next) return step.next;
  return steps[index + 1]?.id;
}

/** The escalation chain of an approval, groups expanded; each level must be able to reach the quorum. */
export function approvalLevels(step: StepOf<'approval'>, directory: Directory): ApprovalLevel[] {
  // With parts, level 0 is everyone who reviews a part (each decides only their own part).
  const firstLevel = step.parts ? step.parts.flatMap((p) => p.reviewers) : (step.reviewers ?? []);
  const chain = [{ reviewers: firstLevel, timeout: step.timeout }, ...step.escalation];
  return chain.map((level, i) => {
    // Level 0 from the input: whom it names is checked against the directory when the step runs.
    if (i === 0 && step.reviewersFromInput) return { level: 0, reviewers: [], reviewersFromInput: step.reviewersFromInput, timeoutSeconds: durationSeconds(level.timeout) };
    const where = `approval ${step.id}, ${i === 0 ? 'reviewers' : `escalation.${i - 1}.reviewers`}`;
    const reviewers = expandReviewers(directory, level.reviewers, where);
    if (reviewers.length < step.requiredApprovals) {
      throw new Error(`${where}: ${reviewers.length} reviewer(s) cannot give the ${step.requiredApprovals} approvals required`);
    }
    const partReviewers =
      i === 0 && step.parts
        ? Object.fromEntries(step.parts.map((p) => [p.id, expandReviewers(directory, p.reviewers, `approval ${step.id}, parts.${p.id}.reviewers`)]))
        : undefined;
    return { level: i, reviewers, timeoutSeconds: durationSeconds(level.timeout), ...(partReviewers ? { partReviewers } : {}) };
  });
}

/** The first state: puts the release the state machine was built from on the run (`$.run.releaseId`), so every step knows what served it. */
export const RELEASE_STATE = 'Release';

export function compileWorkflow(workflow: Workflow, directory: Directory, releaseId?: string): CompiledWorkflow {
  const states: Record<string, State> = {};
  const policy: ApprovalPolicy = {
    alwaysReview: workflow.alwaysReview,
    autonomy: Object.fromEntries(
      workflow.steps.flatMap((s) => (s.kind === 'route' ? s.paths.filter((p) => p.autonomy).map((p) => [`${s.id}/${p.name}`, p.autonomy!]) : [])),
    ),
  };
  const kinds = new Set<FunctionKind>(['finish']);
  const { steps } = workflow;
  // The queue's owners are told by the execution-status function from the release; a name the
  // directory does not know fails the build here, not the first failed run.
  if (workflow.owner) expandReviewers(directory, workflow.owner.reviewers, 'owner.reviewers');
  const read = statePathsRead(workflow).steps;
  const keep = (step: Step) => read[step.id] ?? [];

  steps.forEach((step, i) => {
    const next = successor(steps, i);
    switch (step.kind) {
      case 'route':
        Object.assign(states, compileRoute(step));
        return;
      case 'retrieve':
      case 'classify':
        kinds.add(step.kind);
        states[step.id] = stepTask(step.kind, step, keep(step), next ?? RUN_COMPLETED_STATE);
        return;
      case 'generate':
        kinds.add(step.kind);
        if (step.gates) {
          // The draft's quality gates decide where the run goes: a Choice on what the step reported.
          states[step.id] = stepTask('generate', step, keep(step), gatesStateName(step.id));
          states[gatesStateName(step.id)] = compileGates(step.id, step.gates, next ?? RUN_COMPLETED_STATE);
        } else {
          states[step.id] = stepTask('generate', step, keep(step), next ?? RUN_COMPLETED_STATE);
        }
        return;
      case 'deliver':
        kinds.add('deliver');
        // A delivery that fails for good fails the execution here (DeliveryFailed): redrive delivers again.
        // One that ends the run goes to the finish function, which counts the run for its release.
        states[step.id] = stepTask('deliver', step, keep(step), next ?? RUN_DELIVERED_STATE);
        return;
      case 'approval': {
        kinds.add('approval');
        const after = next ?? RUN_COMPLETED_STATE;
        const levels = approvalLevels(step, directory);
        levels.forEach((level, l) => {
          states[approvalStateName(step.id, l)] = approvalTask(step, level, l === levels.length - 1, after, workflow.requester, policy);
        });
        states[approvalTimedOutStateName(step.id)] = finalTimeoutTask(step, levels.length - 1);
        return;
      }
    }
  });

  if (kinds.has('approval')) states[RUN_REJECTED_STATE] = finishTask({ status: 'rejected' });
  if (Object.values(states).some((s) => s.Type === 'Task' && s.Next === RUN_DELIVERED_STATE)) states[RUN_DELIVERED_STATE] = finishTask({ status: 'delivered' });
  // A step that fails for good is not caught (tasks.ts): the execution fails at it, its run goes
  // to the human queue, and RedriveExecution resumes it there.
  if (Object.values(states).some((s) => (s.Type === 'Task' && s.Next === RUN_COMPLETED_STATE) || (s.Type === 'Choice' && s.Default === RUN_COMPLETED_STATE))) {
    states[RUN_COMPLETED_STATE] = finishTask({ status: 'completed' });
  }

  if (releaseId) states[RELEASE_STATE] = { Type: 'Pass', Comment: `release ${releaseId}`, Result: releaseId, ResultPath: '$.run.releaseId', Next: steps[0]!.id };
  return {
    definition: {
      Comment: `Handrail workflow ${workflow.id}: ${workflow.name}`,
      StartAt: releaseId ? RELEASE_STATE : steps[0]!.id,
      States: states,
    },
    functionKinds: [...kinds].sort(),
  };
}
