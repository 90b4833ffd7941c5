import type { ApprovalRecord } from '../../records/approvals.js';

/** A pending approval is due when `reminderEverySeconds` have passed since the request or the last reminder, before its deadline. */
export function dueForReminder(approval: Pick<ApprovalRecord, 'status' | 'reminderEverySeconds' | 'requestedAt' | 'lastRemindedAt' | 'deadline'>, now: number): boolean {
  if (approval.status !== 'pending' || !approval.reminderEverySeconds) return false;
  if (now >= Date.parse(approval.deadline)) return false;
  const since = Date.parse(approval.lastRemindedAt ?? approval.requestedAt);
  return now - since >= approval.reminderEverySeconds * 1000;
}

/** A pending approval is past its reviewers' time (the SLA the dashboard counts) once its first reminder was due, until its deadline. */
export function pastReviewTime(approval: Pick<ApprovalRecord, 'status' | 'reminderEverySeconds' | 'requestedAt' | 'deadline'>, now: number): boolean {
  if (approval.status !== 'pending' || !approval.reminderEverySeconds || now >= Date.parse(approval.deadline)) return false;
  return now - Date.parse(approval.requestedAt) >= approval.reminderEverySeconds * 1000;
}
