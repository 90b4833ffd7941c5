/** The offline classifiers together: lexicons and text statistics, deterministic, no network. */
import { classifyComplexity } from './complexity.js';
import { groundingConfidence } from './grounding.js';
import { classifySentiment } from './sentiment.js';
import { classifyTopics } from './topics.js';
import type { Classification, ClassifierInput } from './types.js';

export function classifyOffline(req: ClassifierInput): Classification {
  const want = new Set(req.classifiers);
  const classification: Classification = {};
  if (want.has('sentiment')) classification.sentiment = classifySentiment(req.text, req.sentimentThreshold);
  // Complexity counts distinct topics, so topics are found even when only complexity is asked for.
  const topics = want.has('topic') || want.has('complexity') ? classifyTopics(req.text, req.topics) : undefined;
  if (want.has('topic')) classification.topic = topics;
  if (want.has('complexity')) classification.complexity = classifyComplexity(req.text, topics?.labels.length ?? 0);
  if (want.has('confidence')) classification.confidence = groundingConfidence(req.draft ?? '', req.passages);
  return classification;
}
