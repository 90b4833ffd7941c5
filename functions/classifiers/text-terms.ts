/**
 * Word stems of a text, the common currency of the offline classifiers: topic terms and draft
 * grounding compare stems, so "charged", "charges" and "charge" are one term.
 * Tokenizing, stop words and the Porter2 stemmer come from wink-nlp-utils.
 */
import nlp from 'wink-nlp-utils';

/** Every word's stem, in order (stop words kept: phrases such as "cease and desist" need them). */
export function stems(text: string): string[] {
  return nlp.tokens.stem(nlp.string.tokenize0(text.toLowerCase()));
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
  const words = nlp.tokens.removeWords(nlp.string.tokenize0(text.toLowerCase())).filter((w) => w.length > 1);
  return nlp.tokens.stem(words);
}

export function sentences(text: string): string[] {
  return nlp.string.sentences(text).map((s) => s.trim()).filter(Boolean);
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
