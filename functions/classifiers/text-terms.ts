/**
 * Word stems and sentences of a text, the common currency of the offline classifiers: topic terms
 * and draft grounding compare stems, so "charged", "charges" and "charge" are one term.
 * Tokenizing, stop words and the Porter2 stemmer are wink-nlp-utils' own modules, imported by path:
 * its index also loads wink-nlp's 3.8 MB English model (for sentence splitting), which every Lambda
 * that imported a helper would ship and parse at cold start. Sentences come from the platform's
 * Unicode segmenter instead (below).
 */
import removeWords from 'wink-nlp-utils/src/tokens-remove-words.js';
import stem from 'wink-nlp-utils/src/tokens-stem.js';
import tokenize0 from 'wink-nlp-utils/src/string-tokenize0.js';

/** Every word's stem, in order (stop words kept: phrases such as "cease and desist" need them). */
export function stems(text: string): string[] {
  return stem(tokenize0(text.toLowerCase()));
}

const phraseCache = new Map<string, string[]>();

/** Stems of a term or phrase from a workflow definition, computed once per process (definitions are few). */
export function phraseStems(phrase: string): string[] {
  let cached = phraseCache.get(phrase);
  if (!cached) phraseCache.set(phrase, (cached = stems(phrase)));
  return cached;
}

/** Stems of the content words only (stop words and one-letter tokens removed). */
export function contentStems(text: string): string[] {
  const words = removeWords(tokenize0(text.toLowerCase())).filter((w) => w.length > 1);
  return stem(words);
}

const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });
/** Abbreviations that precede a name or an example, never end a sentence ("Dr. Smith", "Mt. Everest"). */
const NO_BREAK_AFTER = /(?:^|[\s(])(?:mr|mrs|ms|dr|prof|mt|vs|cf|e\.g|i\.e)\.$/i;

/**
 * Sentences by Unicode's rules (UAX #29: a full stop before a lower-case word, a number or a file
 * name does not end a sentence), trimmed. A single line break is read as a space, so hard-wrapped
 * mail stays whole while a blank line still ends a sentence; the text returned is the original.
 *
 * @example sentences('Hi team.\nThe app crashes when I\nopen it. Very disappointed.') // ['Hi team.', 'The app crashes when I\nopen it.', 'Very disappointed.']
 */
export function sentences(text: string): string[] {
  // Same length as `text`, so segment offsets slice the original.
  const unwrapped = text.replace(/(?:\r?\n)+/g, (breaks) => (breaks.replace(/\r/g, '').length === 1 ? ' '.repeat(breaks.length) : breaks));
  const out: string[] = [];
  let carried = '';
  for (const { index, segment } of segmenter.segment(unwrapped)) {
    const sentence = carried + text.slice(index, index + segment.length);
    carried = NO_BREAK_AFTER.test(segment.trimEnd()) ? sentence : '';
    if (!carried && sentence.trim()) out.push(sentence.trim());
  }
  if (carried.trim()) out.push(carried.trim());
  return out;
}

/** Does `phrase` (already stemmed) occur as a run of consecutive stems in `haystack`? */
export function containsPhrase(haystack: readonly string[], phrase: readonly string[]): boolean {
  if (phrase.length === 0) return false;
  outer: for (let i = 0; i + phrase.length <= haystack.length; i++) {
    for (let j = 0; j < phrase.length; j++) if (haystack[i + j] !== phrase[j]) continue outer;
    return true;
  }
  return false;
}
