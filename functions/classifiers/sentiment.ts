/**
 * Offline sentiment: VADER (Hutto & Gilbert, 2014), a lexicon and rule-based model tuned for short,
 * informal text such as tickets and chat. It handles negation ("not happy"), intensifiers ("very
 * disappointed"), capitals and punctuation. The compound score runs from -1 to 1.
 */
import vader from 'vader-sentiment';
import type { SentimentResult } from './types.js';
import { sentences } from './text-terms.js';

const round = (n: number) => Math.round(n * 1000) / 1000;

export function labelFor(score: number, threshold: number): SentimentResult['label'] {
  if (score <= -threshold) return 'negative';
  if (score >= threshold) return 'positive';
  return 'neutral';
}

export function classifySentiment(text: string, threshold: number): SentimentResult {
  const score = round(vader.SentimentIntensityAnalyzer.polarity_scores(text).compound);
  const label = labelFor(score, threshold);
  if (label !== 'negative') return { label, score, method: 'lexicon:vader' };
  // Point the reviewer at the sentence that weighs most.
  const worst = sentences(text)
    .map((s) => ({ s, score: vader.SentimentIntensityAnalyzer.polarity_scores(s).compound }))
    .sort((a, b) => a.score - b.score)[0];
  return { label, score, method: 'lexicon:vader', ...(worst && worst.score < 0 ? { evidence: worst.s.slice(0, 300) } : {}) };
}
