/**
 * Lambda on a schedule (EventBridge, every few minutes): reminds reviewers of pending approvals
 * whose step declares `reminderEvery`, and queue owners of runs waiting past their SLA
 * (functions/runs/queue-sla.ts). "Now" is the scheduled event's time, so a test can run the
 * sweep at any moment (fake time). A reminder is claimed with a conditional write first, so two
 * overlapping sweeps never remind twice for the same period.
 */
import * as z from 'zod';
import { notifyApprovalRequested } from '../../notifications/notify.js';
import { claimReminder, listApprovals, type ApprovalRecord } from '../../records/approvals.js';
import { recordAudit } from '../../records/audit.js';
import { stepHandler } from '../../shared/lambda-handler.js';
import { dueForReminder, pastReviewTime } from './due.js';
import { publishApprovalsPastSla } from '../../shared/metrics.js';
import { sweepQueueSla } from '../../runs/queue-sla.js';

const scheduledEventSchema = z.object({ time: z.string().datetime({ offset: true }) }).passthrough();

async function pendingApprovals(): Promise<ApprovalRecord[]> {
  const all: ApprovalRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await listApprovals({ status: 'pending', limit: 100, cursor });
    all.push(...page.approvals);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

export const handler = stepHandler(scheduledEventSchema, async (event) => {
  const now = Date.parse(event.time);
  const pending = await pendingApprovals();
  const late = new Map<string, number>();
  for (const a of pending.filter((p) => pastReviewTime(p, now))) late.set(a.workflowId, (late.get(a.workflowId) ?? 0) + 1);
  publishApprovalsPastSla(late);
  const due = pending.filter((a) => dueForReminder(a, now));
  let reminded = 0;
  for (const approval of due) {
    const at = new Date(now).toISOString();
    if (!(await claimReminder(approval.approvalId, approval.lastRemindedAt, at))) continue;
    await notifyApprovalRequested({ ...approval, lastRemindedAt: at }, { channels: approval.channels ?? [], slackChannel: approval.slackChannel });
    await recordAudit({
      subject: approval.runId,
      runId: approval.runId,
      type: 'approval.reminded',
      actor: 'handrail',
      details: { approvalId: approval.approvalId, reviewers: approval.reviewers, channels: approval.channels ?? [], deadline: approval.deadline },
    });
    reminded++;
  }
  const queue = await sweepQueueSla(now);
  return { checkedAt: event.time, due: due.length, reminded, pastReviewTime: [...late.values()].reduce((a, b) => a + b, 0), queue };
});
