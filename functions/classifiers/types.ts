/**
 * What a classify step reports, per classifier. Route conditions read these fields
 * (`steps.<id>.sentiment.label`, `steps.<id>.topic.label`, `steps.<id>.topic.flags.legal`,
 * `steps.<id>.complexity.label`, `steps.<id>.confidence.score`), and the run record keeps them.
 */
import type { ClassifierName } from '../../state-machines/schema.js';
import type { Passage } from '../shared/step-contract.js';

/**
 * `lexicon`/`statistics`/`grounding`: the offline implementations; `model`: an LLM answered (and
 * the offline result was no more cautious); `model+lexicon:topics`: the lexicons found topics the
 * model did not name, and they were kept.
 */
export type ClassifierMethod = 'lexicon:vader' | 'lexicon:topics' | 'statistics' | 'grounding' | 'model' | 'model+lexicon:topics';

export interface SentimentResult {
  readonly label: 'negative' | 'neutral' | 'positive';
  /** -1 (most negative) .. 1 (most positive): VADER's compound score, or the model's. */
  readonly score: number;
  readonly method: ClassifierMethod;
  /** The most negative sentence, when one is negative: what the reviewer should look at. */
  readonly evidence?: string;
}

export interface TopicResult {
  /** The strongest topic (most terms matched; the first declared on a tie), or `none`. */
  readonly label: string;
  /** Every matched topic, strongest first. */
  readonly labels: string[];
  /** One boolean per declared topic, so a condition can test any of them. */
  readonly flags: Record<string, boolean>;
  /** Whether any declared topic matched. */
  readonly any: boolean;
  readonly method: ClassifierMethod;
  /** The terms the lexicons matched, per topic. */
  readonly evidence?: Record<string, string[]>;
  /** The model's reason, when a model classified. */
  readonly reason?: string;
}

export interface ComplexityResult {
  readonly label: 'low' | 'medium' | 'high';
  /** 0 .. 1. */
  readonly score: number;
  readonly method: ClassifierMethod;
  /** What the offline score was made of. */
  readonly factors?: Record<string, number>;
  /** The model's reason, when a model classified. */
  readonly reason?: string;
}

export interface ConfidenceResult {
  /** 0 .. 1: how well the retrieved passages support the draft. */
  readonly score: number;
  readonly method: ClassifierMethod;
  readonly reason: string;
}

export interface Classification {
  sentiment?: SentimentResult;
  topic?: TopicResult;
  complexity?: ComplexityResult;
  confidence?: ConfidenceResult;
}

/** Topics resolved to names and stemmed terms (built-in terms filled in). */
export interface TopicDefinition {
  readonly name: string;
  readonly terms: string[];
  readonly description?: string;
}

/** What every classifier implementation is asked: the text, which classifiers, and their settings. */
export interface ClassifierInput {
  readonly text: string;
  readonly classifiers: readonly ClassifierName[];
  readonly topics: readonly TopicDefinition[];
  readonly sentimentThreshold: number;
  /** The draft the `confidence` classifier judges. */
  readonly draft?: string;
  readonly passages: Passage[];
}
