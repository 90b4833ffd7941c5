/** A generate step's quality gates compile to a Choice on what the step reported about its draft. */
import type { QualityGates } from '../schema.js';
import type { ChoiceState } from './asl-types.js';

/** Where, in a generate step's output, the gates' Choice reads its verdicts. */
const CONTEXT_FAILED = 'gates.contextFailed';
const FAILED = 'gates.failed';

export function gatesStateName(stepId: string): string {
  return `${stepId}__gates`;
}

/** The fields of a generate step's output its gates' Choice reads. */
export function gateVerdictPaths(gates: QualityGates): string[] {
  return [...(gates.onContextFailure ? [CONTEXT_FAILED] : []), FAILED];
}

export function compileGates(stepId: string, gates: QualityGates, next: string): ChoiceState {
  const verdict = (path: string) => `$.steps.${stepId}.${path}`;
  return {
    Type: 'Choice',
    Comment: `quality gates of ${stepId}`,
    Choices: [
      ...(gates.onContextFailure ? [{ Variable: verdict(CONTEXT_FAILED), BooleanEquals: true, Next: gates.onContextFailure }] : []),
      { Variable: verdict(FAILED), BooleanEquals: true, Next: gates.onFail },
    ],
    Default: next,
  };
}
