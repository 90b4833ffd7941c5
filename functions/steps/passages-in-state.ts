import type { Passage, StateData } from '../shared/step-contract.js';

/**
 * Every passage retrieved so far in the run, in step order (a draft may cite any of them), or only
 * those of the retrieve steps named in `only` (a generate step's `context`).
 */
export function passagesInState(state: StateData, only?: readonly string[]): Passage[] {
  return Object.entries(state.steps).flatMap(([stepId, output]) => {
    if (only && !only.includes(stepId)) return [];
    const passages = (output as { passages?: unknown } | null)?.passages;
    return Array.isArray(passages) ? (passages as Passage[]) : [];
  });
}

/** Whether any retrieve step (of those named in `only`) ran before: else a draft is made from the input alone. */
export function hasRetrieveContext(state: StateData, only?: readonly string[]): boolean {
  return Object.entries(state.steps).some(([stepId, output]) => (!only || only.includes(stepId)) && Array.isArray((output as { passages?: unknown } | null)?.passages));
}
