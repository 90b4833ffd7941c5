/**
 * When a model classifies, the offline classifiers run too (they cost microseconds), and the
 * results are merged so that the model can only add caution, never remove it: topics are the
 * union, sentiment and draft confidence the lower score, complexity the higher. A ticket that
 * talks the model into "positive, no topics, confident" still carries what the lexicons found, so
 * prompt injection cannot route a run away from the people the workflow names.
 */
import { labelFor } from './sentiment.js';
import { complexityLabel } from './complexity.js';
import { topicResult } from './topics.js';
import type { Classification, TopicDefinition } from './types.js';

export function mergeCautiously(model: Classification, offline: Classification, topics: readonly TopicDefinition[], sentimentThreshold: number): Classification {
  const merged: Classification = {};
  if (model.sentiment && offline.sentiment) {
    const lower = model.sentiment.score <= offline.sentiment.score ? model.sentiment : offline.sentiment;
    merged.sentiment = { ...lower, label: labelFor(lower.score, sentimentThreshold) };
  }
  if (model.topic && offline.topic) {
    const labels = [...new Set([...model.topic.labels, ...offline.topic.labels])];
    const ranked = new Map(labels.map((name, i) => [name, labels.length - i]));
    const onlyOffline = offline.topic.labels.filter((l) => !model.topic!.labels.includes(l));
    merged.topic = topicResult(topics, ranked, onlyOffline.length ? 'model+lexicon:topics' : 'model', { evidence: offline.topic.evidence, reason: model.topic.reason });
  }
  if (model.complexity && offline.complexity) {
    const higher = model.complexity.score >= offline.complexity.score ? model.complexity : offline.complexity;
    merged.complexity = { ...higher, label: complexityLabel(higher.score) };
  }
  if (model.confidence && offline.confidence) merged.confidence = model.confidence.score <= offline.confidence.score ? model.confidence : offline.confidence;
  return merged;
}
