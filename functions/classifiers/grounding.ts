/**
 * Offline confidence in a draft: the share of its content words (stems) that the retrieved
 * passages contain. An extractive or well-grounded draft scores near 1; a draft that says things
 * the knowledge base does not scores low. No passages at all means nothing supports the draft: 0.
 */
import type { Passage } from '../shared/step-contract.js';
import type { ConfidenceResult } from './types.js';
import { contentStems } from './text-terms.js';

/** Citation markers ([1], [2, 3]) are not content. */
const CITATION = /\[\d+(?:\s*,\s*\d+)*\]/g;

export function groundingConfidence(draft: string, passages: readonly Pick<Passage, 'text'>[]): ConfidenceResult {
  const terms = [...new Set(contentStems(draft.replace(CITATION, ' ')))];
  if (passages.length === 0) return { score: 0, method: 'grounding', reason: 'no knowledge passages were retrieved to support the draft' };
  if (terms.length === 0) return { score: 0, method: 'grounding', reason: 'the draft has no content words' };
  const known = new Set(passages.flatMap((p) => contentStems(p.text)));
  const covered = terms.filter((t) => known.has(t)).length;
  const score = Math.round((covered / terms.length) * 100) / 100;
  return { score, method: 'grounding', reason: `${covered} of ${terms.length} distinct content words of the draft occur in the ${passages.length} retrieved passage(s)` };
}
