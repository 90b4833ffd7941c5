import { describeClassification } from '../classifiers/describe.js';
import type { Classification } from '../classifiers/types.js';
import type { StateData } from '../shared/step-contract.js';

const CLASSIFIERS = ['sentiment', 'topic', 'complexity', 'confidence'] as const;

/**
 * A classify step's output: classifier results, each stamped with the method that produced it
 * (its step record may add how it got them: `fallback`, `sources`).
 */
function isClassification(output: unknown): output is Classification {
  if (output === null || typeof output !== 'object') return false;
  const results = CLASSIFIERS.filter((k) => k in output).map((k) => (output as Record<string, unknown>)[k]);
  return results.length > 0 && results.every((v) => typeof (v as { method?: unknown } | null)?.method === 'string');
}

/** What the run's classify steps found, as lines for the reviewer (nothing when none ran). */
export function classificationIn(state: StateData): { classification?: string[] } {
  const lines = Object.values(state.steps).filter(isClassification).flatMap(describeClassification);
  return lines.length ? { classification: lines } : {};
}
