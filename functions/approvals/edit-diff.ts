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

/**
 * A proposed knowledge edit as its owner reviews it: a unified diff of the document's current
 * version against the proposal, named after the document (a new document: all lines added).
 */
export function proposalDiff(proposal: { readonly docId: string; readonly baseVersion: number; readonly baseText: string }, proposed: string): string {
  const name = `${proposal.docId}.md`;
  return createPatch(name, proposal.baseText, proposed, proposal.baseVersion ? `v${proposal.baseVersion} (current)` : 'new document', 'proposed', { context: 3 });
}
