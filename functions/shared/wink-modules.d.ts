/**
 * Minimal typings for the two wink packages, which ship none. Only the parts the BM25 index and
 * the offline classifiers use are declared, so a wrong call fails type-checking instead of at run time.
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

declare module 'wink-nlp-utils' {
  const nlp: {
    string: {
      lowerCase(s: string): string;
      tokenize0(s: string): string[];
      sentences(s: string): string[];
    };
    tokens: {
      removeWords(tokens: string[]): string[];
      stem(tokens: string[]): string[];
      propagateNegations(tokens: string[], upto?: number): string[];
    };
  };
  export = nlp;
}
