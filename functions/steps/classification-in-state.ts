import { describeClassification } from '../classifiers/describe.js';
import type { Classification } from '../classifiers/types.js';
import type { StateData } from '../shared/step-contract.js';

const CLASSIFIERS = ['sentiment', 'topic', 'complexity', 'confidence'] as const;

/** A classify step's output: only classifier results, each stamped with the method that produced it. */
function isClassification(output: unknown): output is Classification {
  if (output === null || typeof output !== 'object') return false;
  const entries = Object.entries(output);
  return entries.length > 0 && entries.every(([k, v]) => (CLASSIFIERS as readonly string[]).includes(k) && typeof (v as { method?: unknown } | null)?.method === 'string');
}

/** What the run's classify steps found, as lines for the reviewer (nothing when none ran). */
export function classificationIn(state: StateData): { classification?: string[] } {
  const lines = Object.values(state.steps).filter(isClassification).flatMap(describeClassification);
  return lines.length ? { classification: lines } : {};
}
