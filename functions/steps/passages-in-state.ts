import type { Passage, StateData } from '../shared/step-contract.js';

/** Every passage retrieved so far in the run, in step order (a draft may cite any of them). */
export function passagesInState(state: StateData): Passage[] {
  return Object.values(state.steps).flatMap((output) => {
    const passages = (output as { passages?: unknown } | null)?.passages;
    return Array.isArray(passages) ? (passages as Passage[]) : [];
  });
}
