/**
 * Pure ranking of passages (no AWS): BM25 via wink-bm25-text-search, with a term-overlap
 * fallback for tiny collections. Built once per set of document versions and reused while the
 * Lambda stays warm (see retrieval.ts).
 */
import bm25 from 'wink-bm25-text-search';
// By path, not wink-nlp-utils' index, which also loads a 3.8 MB language model (see wink-modules.d.ts).
import tokenize0 from 'wink-nlp-utils/src/string-tokenize0.js';
import removeWords from 'wink-nlp-utils/src/tokens-remove-words.js';
import stem from 'wink-nlp-utils/src/tokens-stem.js';

export interface RankablePassage {
  /** The document title: weighted above the body, since it says what the whole article is about. */
  readonly title: string;
  readonly text: string;
}

export interface RankedPassage<P extends RankablePassage> {
  readonly passage: P;
  readonly score: number;
}

export interface PassageIndex<P extends RankablePassage> {
  readonly size: number;
  /** Best first, at most topK, only passages sharing at least one term with the query. */
  search(query: string, topK: number): RankedPassage<P>[];
}

/** wink's consolidate() refuses fewer documents (its IDF is meaningless below that). */
export const MIN_BM25_PASSAGES = 3;

const FIELD_WEIGHTS = { title: 2, body: 1 };

/**
 * Words wink's stop list keeps but support questions are full of ("how can I get ...", "I need
 * help, please"). Articles rarely use them, so BM25 would give them a high IDF and let them
 * outrank the topic words. "not"/"ca" (from "can't") are here because negations are not
 * propagated: "can't log in" would otherwise index "!log" and miss passages about logging in.
 */
const FILLER_WORDS = new Set([
  'ca', 'can', 'cannot', 'not', 'get', 'got', 'getting', 'need', 'want', 'help', 'please', 'know', 'tell',
  'like', 'way', 'also', 'one', 'still', 'ok', 'hi', 'hello', 'thanks', 'thank', 'anyone', 'someone',
]);
const removeFiller = (tokens: string[]): string[] => tokens.filter((t) => !FILLER_WORDS.has(t));

/** Lower-case, split on non-word characters, drop stop and filler words, Porter-stem. */
const lowerCase = (text: string): string => text.toLowerCase();
const PREP_TASKS = [lowerCase, tokenize0, removeWords, removeFiller, stem];

export function tokenize(text: string): string[] {
  return PREP_TASKS.reduce<unknown>((value, task) => (task as (v: unknown) => unknown)(value), text) as string[];
}

export function buildPassageIndex<P extends RankablePassage>(passages: readonly P[]): PassageIndex<P> {
  return passages.length >= MIN_BM25_PASSAGES ? bm25Index(passages) : overlapIndex(passages);
}

function bm25Index<P extends RankablePassage>(passages: readonly P[]): PassageIndex<P> {
  const engine = bm25();
  engine.defineConfig({ fldWeights: FIELD_WEIGHTS });
  engine.definePrepTasks(PREP_TASKS);
  passages.forEach((p, i) => engine.addDoc({ title: p.title, body: p.text }, i));
  engine.consolidate();
  return {
    size: passages.length,
    search(query, topK) {
      // Ask for every match, then order ties by position so results are deterministic.
      const hits = engine.search(query, passages.length).map(([id, score]) => ({ i: Number(id), score }));
      return rank(passages, hits, topK);
    },
  };
}

/**
 * Fallback below MIN_BM25_PASSAGES: the share of distinct query terms found in the passage
 * (title or body), in [0, 1]. With one or two passages there is no corpus to weigh terms by,
 * so "how much of the question does this passage cover" is the honest signal.
 */
function overlapIndex<P extends RankablePassage>(passages: readonly P[]): PassageIndex<P> {
  const termSets = passages.map((p) => new Set([...tokenize(p.title), ...tokenize(p.text)]));
  return {
    size: passages.length,
    search(query, topK) {
      const terms = [...new Set(tokenize(query))];
      if (terms.length === 0) return [];
      const hits = termSets.map((set, i) => ({ i, score: terms.filter((t) => set.has(t)).length / terms.length }));
      return rank(passages, hits, topK);
    },
  };
}

function rank<P extends RankablePassage>(passages: readonly P[], hits: { i: number; score: number }[], topK: number): RankedPassage<P>[] {
  return hits
    .filter((h) => h.score > 0 && passages[h.i] !== undefined)
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .slice(0, Math.max(0, topK))
    .map((h) => ({ passage: passages[h.i]!, score: Math.round(h.score * 10_000) / 10_000 }));
}
