/**
 * Quality gates: pure checks of a draft against the rules its workflow declares (blocked phrases,
 * citations, length, personal data, retrieval context). The platform evaluates them, not the prompt.
 */
import type { QualityGates } from '../../state-machines/schema.js';
import { groundingConfidence } from '../classifiers/grounding.js';
import type { ConfidenceResult } from '../classifiers/types.js';
import { personalData } from '../shared/personal-data.js';
import type { Passage } from '../shared/step-contract.js';

export interface GateFailure {
  readonly gate: 'blocked_pattern' | 'citations' | 'length' | 'personal_data' | 'context' | 'confidence';
  readonly detail: string;
}

export interface GateResult {
  readonly failed: boolean;
  readonly contextFailed: boolean;
  readonly failures: GateFailure[];
  /** The draft's confidence, when a minConfidence gate asked for it. */
  readonly confidence?: ConfidenceResult;
}

/**
 * How sure we are of a draft: the model's own `confidence` (0..1) when its structured output has
 * one, else how much of the draft the retrieved passages support (classifiers/grounding.ts).
 */
export function draftConfidence(draft: { text: string; output?: Record<string, unknown> }, passages: readonly Pick<Passage, 'text'>[]): ConfidenceResult {
  const reported = draft.output?.confidence;
  if (typeof reported === 'number' && reported >= 0 && reported <= 1) {
    return { score: reported, method: 'model', reason: 'the confidence the model reported in its structured output' };
  }
  return groundingConfidence(draft.text, passages);
}

export function evaluateGates(gates: QualityGates, draft: { text: string; citations: number[]; confidence?: ConfidenceResult }, passages: Pick<Passage, 'score'>[]): GateResult {
  const failures: GateFailure[] = [];
  for (const pattern of gates.blockedPatterns) {
    if (new RegExp(pattern, 'i').test(draft.text)) failures.push({ gate: 'blocked_pattern', detail: `the draft matches the blocked pattern /${pattern}/` });
  }
  if (gates.requireCitations && draft.citations.length === 0) failures.push({ gate: 'citations', detail: 'the draft cites no knowledge passage' });
  if (gates.minLength !== undefined && draft.text.length < gates.minLength) failures.push({ gate: 'length', detail: `${draft.text.length} characters, fewer than ${gates.minLength}` });
  if (gates.maxLength !== undefined && draft.text.length > gates.maxLength) failures.push({ gate: 'length', detail: `${draft.text.length} characters, more than ${gates.maxLength}` });
  if (gates.noPersonalData) {
    for (const kind of personalData(draft.text)) failures.push({ gate: 'personal_data', detail: `the draft contains ${kind}` });
  }
  if (gates.minConfidence !== undefined) {
    const score = draft.confidence?.score ?? 0;
    if (score < gates.minConfidence) failures.push({ gate: 'confidence', detail: `confidence ${score} is below ${gates.minConfidence} (${draft.confidence?.reason ?? 'not measured'})` });
  }
  const contextFailed = gates.minPassageScore !== undefined && !passages.some((p) => p.score >= gates.minPassageScore!);
  if (contextFailed) failures.push({ gate: 'context', detail: `no retrieved passage scores ${gates.minPassageScore} or more` });
  return { failed: failures.length > 0, contextFailed, failures, ...(draft.confidence ? { confidence: draft.confidence } : {}) };
}
