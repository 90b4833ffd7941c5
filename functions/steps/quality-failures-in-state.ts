import type { GateResult } from '../quality/gates.js';
import type { StateData } from '../shared/step-contract.js';

/** Every quality gate that failed on a draft of this run so far, for the reviewer to see. */
export function qualityFailuresIn(state: StateData): { qualityFailures?: { stepId: string; gate: string; detail: string }[] } {
  const failures = Object.entries(state.steps).flatMap(([stepId, output]) => {
    const gates = (output as { gates?: GateResult } | null)?.gates;
    return gates?.failures.map((f) => ({ stepId, gate: f.gate, detail: f.detail })) ?? [];
  });
  return failures.length ? { qualityFailures: failures } : {};
}
