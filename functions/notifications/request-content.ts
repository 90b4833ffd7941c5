/**
 * What every channel says about an approval request, computed once so Slack, email and Teams
 * show the same facts: the workflow and step, the request input, the draft, cited sources, deadline.
 */
import type { ApprovalRecord } from '../records/approvals.js';

export type RequestFacts = Pick<ApprovalRecord, 'approvalId' | 'runId' | 'workflowId' | 'stepId' | 'level' | 'deadline' | 'input' | 'draft' | 'sources' | 'reviewers'> & {
  readonly items?: ApprovalRecord['items'];
};

export interface RequestContent {
  readonly title: string;
  /** `field: value` pairs of the request input, values flattened to one line and capped. */
  readonly input: { field: string; value: string }[];
  readonly draft: string;
  /** The sources the draft cites ([n]); all retrieved sources if it cites none. */
  readonly sources: { n: number; title: string; ref: string }[];
  readonly deadline: string;
  /** For multi-part approvals: the parts' titles (decided on the review page). */
  readonly parts: string[];
}

export function truncate(text: string, max: number, note = '… (truncated: open the review page for the rest)'): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - note.length))}${note}`;
}

function oneLine(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return truncate(text.replace(/\s+/g, ' ').trim(), 300, '…');
}

export function requestContent(approval: RequestFacts): RequestContent {
  const cited = new Set(approval.draft.citations);
  const sources = approval.sources.filter((s) => cited.size === 0 || cited.has(s.n));
  return {
    title: `Approval needed: ${approval.workflowId} / ${approval.stepId}${approval.level > 0 ? ` (escalated, level ${approval.level})` : ''}`,
    input: Object.entries(approval.input).map(([field, value]) => ({ field, value: oneLine(value) })),
    draft: approval.draft.text,
    sources: sources.map((s) => ({ n: s.n, title: s.title, ref: `${s.docId} v${s.version}` })),
    deadline: approval.deadline,
    parts: (approval.items ?? []).map((i) => i.title),
  };
}
