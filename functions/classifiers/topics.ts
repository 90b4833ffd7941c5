/**
 * Offline topic classifier: each declared topic is a list of terms (words or phrases) matched on
 * word stems. Explainable by construction: the result lists the terms that matched.
 */
import type { TopicRef } from '../../state-machines/schema.js';
import { containsPhrase, phraseStems, stems } from './text-terms.js';
import { BUILTIN_TOPICS } from './topic-terms.js';
import type { TopicDefinition, TopicResult } from './types.js';

export function topicDefinitions(refs: readonly TopicRef[]): TopicDefinition[] {
  return refs.map((ref) => (typeof ref === 'string' ? { name: ref, ...BUILTIN_TOPICS[ref] } : ref));
}

/** Builds the result from each topic's evidence (offline: matched terms; model: chosen labels). */
export function topicResult(topics: readonly TopicDefinition[], matched: Map<string, number>, method: TopicResult['method'], why: Pick<TopicResult, 'evidence' | 'reason'> = {}): TopicResult {
  const labels = topics
    .map((t, order) => ({ name: t.name, weight: matched.get(t.name) ?? 0, order }))
    .filter((t) => t.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.order - b.order)
    .map((t) => t.name);
  return {
    label: labels[0] ?? 'none',
    labels,
    flags: Object.fromEntries(topics.map((t) => [t.name, labels.includes(t.name)])),
    any: labels.length > 0,
    method,
    ...(why.evidence ? { evidence: why.evidence } : {}),
    ...(why.reason ? { reason: why.reason } : {}),
  };
}

export function classifyTopics(text: string, topics: readonly TopicDefinition[]): TopicResult {
  // Phrases match within a clause, never across a full stop ("…data. Protection…" is not "data protection").
  const clauses = text.split(/[.!?;:\n]+/).map(stems);
  const evidence: Record<string, string[]> = {};
  const matched = new Map<string, number>();
  for (const topic of topics) {
    // Terms that stem alike ("charge", "charged") count once.
    const seen = new Set<string>();
    const hits = topic.terms.filter((term) => {
      const phrase = phraseStems(term);
      const key = phrase.join(' ');
      if (seen.has(key) || !clauses.some((words) => containsPhrase(words, phrase))) return false;
      seen.add(key);
      return true;
    });
    if (hits.length) {
      evidence[topic.name] = hits;
      matched.set(topic.name, hits.length);
    }
  }
  return topicResult(topics, matched, 'lexicon:topics', { evidence });
}
