import type { ApprovalRecord } from '../records/approvals.js';
import { proposalDiff } from './edit-diff.js';

/** Server-side bookkeeping that never leaves the server: the task token, the quorum's voter ids, the reconciler's marker. */
type Internal = 'taskToken' | 'voterIds' | 'resumeState' | 'resumeRequestedAt';

export type ApprovalView = Omit<ApprovalRecord, Internal | 'proposal'> & {
  ageSeconds: number;
  timeToDeadlineSeconds: number;
  /** A proposed knowledge edit, with the unified diff of the document's current version against the draft. */
  proposal?: NonNullable<ApprovalRecord['proposal']> & { diff: string };
};

/** An approval as the API shows it: the task token never leaves the server; timing is computed. */
export function publicApproval(approval: ApprovalRecord, now = Date.now()): ApprovalView {
  const { taskToken: _token, voterIds: _voters, resumeState: _resume, resumeRequestedAt: _since, proposal, ...rest } = approval;
  return {
    ...rest,
    ...(proposal ? { proposal: { ...proposal, diff: proposalDiff(proposal, approval.draft.text) } } : {}),
    ageSeconds: Math.max(0, Math.round((now - Date.parse(approval.requestedAt)) / 1000)),
    timeToDeadlineSeconds: approval.status === 'pending' ? Math.round((Date.parse(approval.deadline) - now) / 1000) : 0,
  };
}
