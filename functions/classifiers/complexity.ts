/**
 * Offline complexity: how much work a request is, from text statistics a reviewer can check —
 * length, how many questions it asks, how many distinct topics it touches, and technical detail
 * (error codes, versions, stack traces, URLs, code). Each factor saturates, so one very long
 * but simple message does not count as complex on its own.
 */
import type { ComplexityResult } from './types.js';
import { contentStems, sentences } from './text-terms.js';

const TECHNICAL = [
  /\b[A-Z]{2,}[-_]?\d{2,}\b/g, // error codes: ERR_1042, E401, HTTP500
  /\bv?\d+\.\d+(?:\.\d+)+\b/g, // versions: 2.3.1
  /^\s*at .+:\d+(?::\d+)?\)?\s*$/gm, // stack frames
  /https?:\/\/\S+/g, // links
  /```|\b(?:exception|stack ?trace|traceback|segfault|null ?pointer|timeout|status code|api|sdk|webhook|endpoint)\b/gi,
];

const WEIGHTS = { length: 0.35, questions: 0.25, topics: 0.2, technical: 0.2 } as const;

export function complexityLabel(score: number): ComplexityResult['label'] {
  return score < 0.34 ? 'low' : score < 0.67 ? 'medium' : 'high';
}

/** `topicCount`: distinct topics the topic classifier found (0 when it did not run). */
export function classifyComplexity(text: string, topicCount = 0): ComplexityResult {
  const words = contentStems(text).length;
  const asks = sentences(text).filter((s) => s.endsWith('?')).length;
  const technical = TECHNICAL.reduce((n, pattern) => n + (text.match(pattern)?.length ?? 0), 0);
  const factors = {
    length: Math.min(words / 150, 1),
    questions: Math.min(Math.max(asks - 1, 0) / 3, 1),
    topics: Math.min(Math.max(topicCount - 1, 0) / 2, 1),
    technical: Math.min(technical / 4, 1),
  };
  const score = Math.round((Object.keys(WEIGHTS) as (keyof typeof WEIGHTS)[]).reduce((sum, k) => sum + WEIGHTS[k] * factors[k], 0) * 100) / 100;
  return {
    label: complexityLabel(score),
    score,
    method: 'statistics',
    factors: { contentWords: words, questions: asks, topics: topicCount, technicalMarkers: technical },
  };
}
