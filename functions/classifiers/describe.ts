/**
 * One line per classifier result, for people: the review page and the run view say what the
 * classifiers found, with the evidence and the method, in words rather than JSON.
 */
import type { Classification } from './types.js';

export function describeClassification(c: Classification): string[] {
  const lines: string[] = [];
  if (c.sentiment) {
    const quote = c.sentiment.evidence ? `: “${c.sentiment.evidence}”` : '';
    lines.push(`sentiment ${c.sentiment.label} (${c.sentiment.score}, ${c.sentiment.method})${quote}`);
  }
  if (c.topic) {
    const { evidence, reason } = c.topic;
    const terms = (name: string) => (evidence?.[name]?.length ? ` (${evidence[name].join(', ')})` : '');
    const found = c.topic.any ? c.topic.labels.map((l) => `${l}${terms(l)}`).join(', ') : 'none of the declared topics';
    lines.push(`topic ${found} [${c.topic.method}]${reason ? `: ${reason}` : ''}`);
  }
  if (c.complexity) lines.push(`complexity ${c.complexity.label} (${c.complexity.score}, ${c.complexity.method})`);
  if (c.confidence) lines.push(`draft confidence ${c.confidence.score} (${c.confidence.method}): ${c.confidence.reason}`);
  return lines;
}
