/** What a reviewer changed: a unified diff and the character edit distance, for the record. */
import { createPatch } from 'diff';
import { distance } from 'fastest-levenshtein';

export interface EditSummary {
  readonly diff: string;
  readonly editDistance: number;
}

export function summarizeEdit(before: string, after: string): EditSummary {
  return { diff: createPatch('draft', before, after, 'draft', 'edited', { context: 2 }), editDistance: distance(before, after) };
}
