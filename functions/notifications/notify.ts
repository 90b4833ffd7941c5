/**
 * Sends an approval request to the channels its step lists (`channels: [slack, email, teams]`),
 * for the reviewers of this level, resolved through the reviewer directory. The channels are a
 * convenience on top of the inbox and the review page, which always work: so nothing here may
 * fail the approval. Every outcome (sent, skipped, failed) is an audit event on the run.
 */
import { reviewerOf } from '../../state-machines/directory.js';
import type { StepOf } from '../../state-machines/schema.js';
import { directory } from '../approvals/directory.js';
import { approvalIdFor, getApproval, type ApprovalRecord } from '../records/approvals.js';
import { logger } from '../shared/logger.js';
import { notifyEmail } from './email-send.js';
import { errorText, noteNotification, type Channel } from './notification-audit.js';
import { notifySlack, updateSlackMessages } from './slack-send.js';
import { notifyTeams } from './teams-send.js';

type ApprovalStep = Pick<StepOf<'approval'>, 'channels' | 'slackChannel'>;

export async function notifyApprovalRequested(approval: ApprovalRecord, step: ApprovalStep): Promise<void> {
  const channels = [...new Set(step.channels ?? [])] as Channel[];
  if (!channels.length) return;
  let reviewers;
  try {
    const dir = directory();
    reviewers = approval.reviewers.map((id) => reviewerOf(dir, id));
  } catch (err) {
    await Promise.all(channels.map((channel) => noteNotification(approval, 'notification.failed', channel, { error: `reviewer directory: ${errorText(err)}` })));
    return;
  }
  const send: Record<Channel, () => Promise<void>> = {
    slack: () => notifySlack(approval, step.slackChannel, reviewers),
    email: () => notifyEmail(approval, reviewers),
    teams: () => notifyTeams(approval, reviewers),
  };
  // In parallel: a slow channel must not delay the others (the Lambda has 30 s in all).
  await Promise.all([
    closePreviousLevel(approval),
    ...channels.map(async (channel) => {
      try {
        await send[channel]();
      } catch (err) {
        logger.warn('approval notification failed', { approvalId: approval.approvalId, channel, error: err as Error });
        await noteNotification(approval, 'notification.failed', channel, { error: errorText(err) });
      }
    }),
  ]);
}

/** An escalation: the previous level's Slack messages say it escalated, and lose their buttons. */
async function closePreviousLevel(approval: ApprovalRecord): Promise<void> {
  if (approval.level === 0) return;
  try {
    const previous = await getApproval(approvalIdFor(approval.runId, approval.stepId, approval.level - 1));
    if (previous && previous.status !== 'pending') await updateSlackMessages(previous);
  } catch (err) {
    logger.warn('could not update the previous level', { approvalId: approval.approvalId, error: err as Error });
  }
}
