/**
 * Multi-part approvals (RFP or proposal sections): one approval holds several items, each drafted
 * by its own generate step and decided by its own reviewers. The run resumes when every item is
 * decided, with the per-item outcomes in its output.
 */
import type { StepOf } from '../../state-machines/schema.js';
import type { ApprovalItem } from '../records/approvals.js';
import { ValidationError } from '../shared/errors.js';
import type { GateResult } from '../quality/gates.js';
import type { GenerateOutput, StateData } from '../shared/step-contract.js';
import { draftHash } from './draft-hash.js';

/** Items for a new request; items already decided at an earlier level keep their decision. */
export function buildItems(
  step: StepOf<'approval'>,
  state: StateData,
  reviewersOf: (partId: string) => string[],
  decidedEarlier: ApprovalItem[] = [],
): ApprovalItem[] {
  return (step.parts ?? []).map((part) => {
    const earlier = decidedEarlier.find((i) => i.itemId === part.id && i.status !== 'pending');
    if (earlier) return earlier;
    const draft = state.steps[part.draft] as (GenerateOutput & { gates?: GateResult }) | undefined;
    if (!draft?.text) throw new ValidationError(`Approval ${step.id}, part ${part.id}: ${part.draft} produced no draft`, `step.parts.${part.id}`);
    const failures = draft.gates?.failures ?? [];
    return {
      itemId: part.id,
      title: part.title,
      reviewers: reviewersOf(part.id),
      draft: { text: draft.text, provider: draft.provider, model: draft.model, citations: draft.citations },
      draftHash: draftHash(draft.text),
      status: 'pending',
      ...(failures.length ? { qualityFailures: failures.map((f) => ({ gate: f.gate, detail: f.detail })) } : {}),
    };
  });
}

/** The whole request as one text (what lists, Slack and email show). */
export function joinedDraft(items: Pick<ApprovalItem, 'title' | 'draft' | 'qualityFailures'>[]): string {
  return items.map((i) => `## ${i.title}\n\n${i.qualityFailures?.length ? `> Flagged: ${i.qualityFailures.map((f) => f.detail).join('; ')}.\n\n` : ''}${i.draft.text}`).join('\n\n');
}

/**
 * A part approved as drafted although its draft failed a quality gate keeps the flag in the
 * document (e.g. missing information: no passage supports it); an edit is the reviewer's own answer.
 */
function flagOf(item: ApprovalItem): string {
  if (item.status !== 'approved' || !item.qualityFailures?.length) return '';
  return `> Flagged: ${item.qualityFailures.map((f) => f.detail).join('; ')}. Approved as drafted by ${item.decision?.reviewer ?? 'its reviewer'}.\n\n`;
}

/** What is delivered: the approved or edited items, in order, each under its title; rejected items are left out. */
export function deliveredText(items: ApprovalItem[]): string {
  return items
    .filter((i) => i.status === 'approved' || i.status === 'edited')
    .map((i) => `## ${i.title}\n\n${flagOf(i)}${i.finalText ?? i.draft.text}`)
    .join('\n\n');
}
