import type { ApprovalRecord } from '../../records/approvals.js';

/** An approval as the API shows it: the task token never leaves the server. */
export function publicApproval(approval: ApprovalRecord): Omit<ApprovalRecord, 'taskToken'> {
  const { taskToken: _token, ...rest } = approval;
  return rest;
}
