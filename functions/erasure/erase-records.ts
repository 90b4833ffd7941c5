/**
 * Erasure in the records a run leaves: the run (its input), its step records (what each step read
 * and produced, the knowledge passages it cited), its approvals (reviewers, requester, draft, edits,
 * votes, decisions and their comments, the sources shown). Counted as the summary says them: items
 * of each kind changed, and the citations (retrieved passages on a step, sources on an approval)
 * whose text or fields held the address.
 */
import { redactApprovals } from '../records/approvals.js';
import type { ItemRedaction } from '../records/erasure-writes.js';
import { redactRunItems } from '../records/runs.js';
import { pointerStep, valueAt } from '../shared/json-pointer.js';
import type { ErasureCounts } from '../audit/erasures.js';
import { redactTree } from './redact-subject.js';

/** Each string of each attribute but the keys that holds the address, and what it becomes. */
function strings(pattern: RegExp, keys: readonly string[]): ItemRedaction {
  return (item) =>
    Object.entries(item).flatMap(([name, value]) => {
      if (keys.includes(name)) return [];
      const changed: string[] = [];
      const redacted = { [name]: redactTree(value, pattern, `/${pointerStep(name)}`, changed) };
      return changed.map((pointer) => ({ pointer, from: String(valueAt(item, pointer)), to: String(valueAt(redacted, pointer)) }));
    });
}

/** How many entries of a list of citations the changed pointers fall in (`/output/passages/<n>/…`). */
const citationsIn = (pointers: string[], list: RegExp) => new Set(pointers.flatMap((p) => list.exec(p)?.[1] ?? [])).size;

export async function eraseFromRecords(pattern: RegExp): Promise<Omit<ErasureCounts, 'auditEvents'>> {
  const counts = { runs: 0, steps: 0, approvals: 0, citations: 0 };
  await redactRunItems(strings(pattern, ['runId', 'sk']), (item, pointers) => {
    if (item.sk === 'run') counts.runs++;
    else (counts.steps++), (counts.citations += citationsIn(pointers, /^\/output\/passages\/(\d+)\//));
  });
  await redactApprovals(strings(pattern, ['approvalId']), (_item, pointers) => {
    counts.approvals++;
    counts.citations += citationsIn(pointers, /^\/sources\/(\d+)\//);
  });
  return counts;
}
