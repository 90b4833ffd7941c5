import type { ApprovalRecord } from '../records/approvals.js';

/** Server-side bookkeeping that never leaves the server: the task token, the quorum's voter ids, the reconciler's marker. */
type Internal = 'taskToken' | 'voterIds' | 'resumeState' | 'resumeRequestedAt';

export type ApprovalView = Omit<ApprovalRecord, Internal> & { ageSeconds: number; timeToDeadlineSeconds: number };

/** An approval as the API shows it: the task token never leaves the server; timing is computed. */
export function publicApproval(approval: ApprovalRecord, now = Date.now()): ApprovalView {
  const { taskToken: _token, voterIds: _voters, resumeState: _resume, resumeRequestedAt: _since, ...rest } = approval;
  return {
    ...rest,
    ageSeconds: Math.max(0, Math.round((now - Date.parse(approval.requestedAt)) / 1000)),
    timeToDeadlineSeconds: approval.status === 'pending' ? Math.round((Date.parse(approval.deadline) - now) / 1000) : 0,
  };
}
