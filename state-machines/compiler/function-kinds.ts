/**
 * The Lambda functions a compiled workflow calls: one per step kind, plus `finish`, which records
 * how a run ended. The ASL refers to each as `${fn_<kind>}`, a DefinitionSubstitution that CDK
 * fills with the function ARN (and the local runtime with the local function ARN).
 */
export const functionKinds = ['retrieve', 'generate', 'classify', 'approval', 'deliver', 'finish'] as const;
export type FunctionKind = (typeof functionKinds)[number];

export function substitutionKey(kind: FunctionKind): string {
  return `fn_${kind}`;
}

export function functionRef(kind: FunctionKind): string {
  return `\${${substitutionKey(kind)}}`;
}

/** How a run ended, as written by the `finish` function. */
/** `needs_human`: a step failed for good; the run waits in the human queue with the error attached. */
export type FinishStatus = 'completed' | 'delivered' | 'rejected' | 'approval_timed_out' | 'delivery_failed' | 'needs_human' | 'failed';

export interface FinishConfig {
  /** Omitted when the run goes on (an expired approval whose workflow continues elsewhere). */
  readonly status?: FinishStatus;
  /** The approval to close as expired (approval timeouts). */
  readonly expireApprovalId?: { stepId: string; level: number };
}

/** Name of the Step Functions state machine that runs `workflowId` in `stage`. */
export function stateMachineName(stage: string, workflowId: string): string {
  return `handrail-${stage}-${workflowId}`;
}
