/** A generate step's quality gates compile to a Choice on what the step reported about its draft. */
import type { QualityGates } from '../schema.js';
import type { ChoiceState } from './asl-types.js';

export function gatesStateName(stepId: string): string {
  return `${stepId}__gates`;
}

export function compileGates(stepId: string, gates: QualityGates, next: string): ChoiceState {
  const result = `$.steps.${stepId}.gates`;
  return {
    Type: 'Choice',
    Comment: `quality gates of ${stepId}`,
    Choices: [
      ...(gates.onContextFailure ? [{ Variable: `${result}.contextFailed`, BooleanEquals: true, Next: gates.onContextFailure }] : []),
      { Variable: `${result}.failed`, BooleanEquals: true, Next: gates.onFail },
    ],
    Default: next,
  };
}
