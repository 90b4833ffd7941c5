/** The offline classifiers together: lexicons and text statistics, deterministic, no network. */
import type { ClassifierName } from '../../state-machines/schema.js';
import type { Passage } from '../shared/step-contract.js';
import { classifyComplexity } from './complexity.js';
import { groundingConfidence } from './grounding.js';
import { classifySentiment } from './sentiment.js';
import { classifyTopics } from './topics.js';
import type { Classification, TopicDefinition } from './types.js';

export interface OfflineClassifyRequest {
  readonly text: string;
  readonly classifiers: readonly ClassifierName[];
  readonly topics: readonly TopicDefinition[];
  readonly sentimentThreshold: number;
  readonly draft?: string;
  readonly passages: readonly Passage[];
}

export function classifyOffline(req: OfflineClassifyRequest): Classification {
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
