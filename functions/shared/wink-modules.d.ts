/**
 * Minimal typings for the wink packages, which ship none. Only the parts the BM25 index and the
 * offline classifiers use are declared, so a wrong call fails type-checking instead of at run time.
 *
 * wink-nlp-utils is declared module by module on purpose: its index (`import nlp from
 * 'wink-nlp-utils'`) also loads wink-nlp and its 3.8 MB English model, which would be bundled
 * into, and parsed at the cold start of, every Lambda that imports a helper. With no declaration
 * for the index, importing it fails type-checking.
 */
declare module 'wink-bm25-text-search' {
  namespace bm25 {
    type PrepTask = (input: any) => any;
    interface Config {
      fldWeights: Record<string, number>;
      bm25Params?: { k1?: number; b?: number; k?: number };
      ovFldNames?: string[];
    }
    interface Engine {
      defineConfig(config: Config): boolean;
      definePrepTasks(tasks: PrepTask[], field?: string): number;
      addDoc(doc: Record<string, string>, id: string | number): number;
      /** Throws when fewer than 3 documents were added. */
      consolidate(fp?: number): boolean;
      /** [id, score] pairs, best first; ids come back as strings. */
      search(text: string, limit?: number): Array<[string, number]>;
    }
  }
  function bm25(): bm25.Engine;
  export = bm25;
}

/** Splits on non-word characters; expands "can't" to "ca not", drops elisions ("someone's" → "someone", "s"). */
declare module 'wink-nlp-utils/src/string-tokenize0.js' {
  function tokenize0(s: string): string[];
  export = tokenize0;
}

/** Drops wink's English stop words. */
declare module 'wink-nlp-utils/src/tokens-remove-words.js' {
  function removeWords(tokens: string[]): string[];
  export = removeWords;
}

/** Porter2 (Snowball English) stems, via wink-porter2-stemmer. */
declare module 'wink-nlp-utils/src/tokens-stem.js' {
  function stem(tokens: string[]): string[];
  export = stem;
}
