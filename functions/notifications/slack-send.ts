/**
 * Posts an approval request to Slack (the step's `slackChannel`, or a DM to each reviewer's
 * slackUserId) and remembers each message (channel + ts), so that whoever decides, through
 * whatever channel, the messages can be updated to say so.
 */
import { reviewerOf, type Reviewer } from '../../state-machines/directory.js';
import { directory } from '../approvals/directory.js';
import { reviewLinksFor } from '../approvals/review-links.js';
import { rememberSlackMessages, type ApprovalRecord, type SlackMessageRef } from '../records/approvals.js';
import { logger } from '../shared/logger.js';
import { channelSecrets } from './channel-config.js';
import { errorText, noteNotification } from './notification-audit.js';
import { decidedMessage, requestMessage } from './slack-blocks.js';
import { asBlocks, slackClient } from './slack-client.js';

interface Target {
  readonly channel: string;
  readonly recipient: string;
  readonly reviewer?: string;
}

function targets(slackChannel: string | undefined, reviewers: Reviewer[]): { targets: Target[]; unreachable: string[] } {
  if (slackChannel) return { targets: [{ channel: slackChannel, recipient: slackChannel }], unreachable: [] };
  return {
    targets: reviewers.filter((r) => r.slackUserId).map((r) => ({ channel: r.slackUserId!, recipient: r.slackUserId!, reviewer: r.id })),
    unreachable: reviewers.filter((r) => !r.slackUserId).map((r) => r.id),
  };
}

export async function notifySlack(approval: ApprovalRecord, slackChannel: string | undefined, reviewers: Reviewer[]): Promise<void> {
  const token = (await channelSecrets()).slackBotToken;
  if (!token) return noteNotification(approval, 'notification.skipped', 'slack', { reason: 'Slack is not configured (no bot token)' });
  const plan = targets(slackChannel, reviewers);
  if (!plan.targets.length) return noteNotification(approval, 'notification.skipped', 'slack', { reason: 'no reviewer has a slackUserId and the step names no slackChannel', unreachable: plan.unreachable });

  // A DM may carry the reviewer's own review link; a channel post never does (anyone could open it).
  const links = slackChannel ? {} : await reviewLinksFor(approval);
  const client = slackClient(token);
  const results = await Promise.allSettled(
    plan.targets.map(async (t) => {
      const message = requestMessage(approval, t.reviewer ? links[t.reviewer] : undefined);
      const out = await client.chat.postMessage({ channel: t.channel, text: message.text, blocks: asBlocks(message.blocks), unfurl_links: false });
      // A DM posted to a user id lands in a D… channel: chat.update needs that id.
      return { channel: out.channel ?? t.channel, ts: String(out.ts) } satisfies SlackMessageRef;
    }),
  );
  const posted = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [{ recipient: plan.targets[i]!.recipient, error: errorText(r.reason) }] : []));
  try {
    await rememberSlackMessages(approval.approvalId, posted);
  } catch (err) {
    failed.push({ recipient: 'approval record', error: `could not remember the Slack messages: ${errorText(err)}` });
  }
  if (posted.length) {
    const recipients = plan.targets.filter((_, i) => results[i]!.status === 'fulfilled').map((t) => t.recipient);
    await noteNotification(approval, 'notification.sent', 'slack', { recipients, messages: posted, ...(plan.unreachable.length ? { unreachable: plan.unreachable } : {}) });
  }
  if (failed.length) await noteNotification(approval, 'notification.failed', 'slack', { failed });
}

/** After a final decision: every message of the request says who decided what, and loses its buttons. */
export async function updateSlackMessages(approval: ApprovalRecord): Promise<void> {
  const messages = approval.slackMessages ?? [];
  if (!messages.length) return;
  try {
    const token = (await channelSecrets()).slackBotToken;
    if (!token) return await noteNotification(approval, 'notification.skipped', 'slack', { phase: 'update', reason: 'Slack is not configured (no bot token)' });
    const name = approval.decision ? reviewerOf(directory(), approval.decision.reviewer).name : '';
    const message = decidedMessage(approval, name);
    const client = slackClient(token);
    const results = await Promise.allSettled(messages.map((m) => client.chat.update({ channel: m.channel, ts: m.ts, text: message.text, blocks: asBlocks(message.blocks) })));
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [{ ...messages[i]!, error: errorText(r.reason) }] : []));
    if (failed.length < messages.length) await noteNotification(approval, 'notification.updated', 'slack', { status: approval.status, messages: messages.length - failed.length });
    if (failed.length) await noteNotification(approval, 'notification.failed', 'slack', { phase: 'update', failed });
  } catch (err) {
    logger.warn('could not update the Slack messages', { approvalId: approval.approvalId, error: err as Error });
    await noteNotification(approval, 'notification.failed', 'slack', { phase: 'update', error: errorText(err) });
  }
}
