/**
 * Tells a workflow's queue owners (its `owner` block) that a run waits for them, through the
 * channels the block lists, each owner resolved through the reviewer directory. Like approval
 * notifications, nothing here may fail the caller: every outcome (sent, skipped, failed) is an
 * audit event on the run, and the queue itself (GET /runs?status=…, the console) always works.
 */
import { reviewerOf, type Reviewer } from '../../state-machines/directory.js';
import type { QueueOwner } from '../../state-machines/schema.js';
import { directory } from '../approvals/directory.js';
import { ENV } from '../shared/env-names.js';
import { requireEnv } from '../shared/env.js';
import { channelSecrets, emailSettings } from './channel-config.js';
import { sendEmail } from './email-send.js';
import { errorText, noteNotification, type Channel } from './notification-audit.js';
import { queueEmail, queueNotice, queueSlackMessage, queueTeamsCard, type QueueFacts, type QueueNotice } from './queue-notice.js';
import { asBlocks, slackClient } from './slack-client.js';

/** `ownerIds`: the owner block's reviewers with its groups expanded (as the run's release resolved them). */
export async function notifyQueueOwners(run: QueueFacts, owner: Pick<QueueOwner, 'channels' | 'slackChannel'>, ownerIds: readonly string[]): Promise<void> {
  const about = { runId: run.runId };
  const channels = [...new Set(owner.channels)] as Channel[];
  let owners: Reviewer[];
  let notice: QueueNotice;
  try {
    const dir = directory();
    owners = ownerIds.map((id) => reviewerOf(dir, id));
    notice = queueNotice(run, requireEnv(ENV.publicUrl));
  } catch (err) {
    await Promise.all(channels.map((channel) => noteNotification(about, 'notification.failed', channel, { error: errorText(err) })));
    return;
  }
  const send: Record<Channel, () => Promise<Record<string, unknown> | string>> = {
    email: () => byEmail(notice, owners, run),
    slack: () => bySlack(notice, owners, owner.slackChannel),
    teams: () => byTeams(notice, owners),
  };
  await Promise.all(
    channels.map(async (channel) => {
      try {
        const outcome = await send[channel]();
        if (typeof outcome === 'string') await noteNotification(about, 'notification.skipped', channel, { reason: outcome, overdue: Boolean(run.overdue) });
        else await noteNotification(about, 'notification.sent', channel, { ...outcome, overdue: Boolean(run.overdue) });
      } catch (err) {
        await noteNotification(about, 'notification.failed', channel, { error: errorText(err), overdue: Boolean(run.overdue) });
      }
    }),
  );
}

/** What was sent, or (a string) why nothing was. */
async function byEmail(notice: QueueNotice, owners: Reviewer[], run: QueueFacts): Promise<Record<string, unknown> | string> {
  const settings = emailSettings();
  if ('off' in settings) return `email is off: ${settings.off}`;
  const reachable = owners.filter((o): o is Reviewer & { email: string } => Boolean(o.email));
  if (!reachable.length) return 'no owner has an email address';
  const results = await Promise.allSettled(reachable.map((o) => sendEmail(settings, queueEmail(notice, o), [['X-Handrail-Run-Id', run.runId], ['X-Handrail-Run-Link', notice.link]])));
  const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${reachable[i]!.email}: ${errorText(r.reason)}`] : []));
  if (failed.length === reachable.length) throw new Error(failed.join('; '));
  return { recipients: reachable.filter((_, i) => results[i]!.status === 'fulfilled').map((o) => o.email), transport: settings.transport, ...(failed.length ? { failed } : {}) };
}

async function bySlack(notice: QueueNotice, owners: Reviewer[], slackChannel: string | undefined): Promise<Record<string, unknown> | string> {
  const token = (await channelSecrets()).slackBotToken;
  if (!token) return 'Slack is not configured (no bot token)';
  const targets = slackChannel ? [slackChannel] : owners.flatMap((o) => (o.slackUserId ? [o.slackUserId] : []));
  if (!targets.length) return 'no owner has a slackUserId and the owner block names no slackChannel';
  const message = queueSlackMessage(notice);
  const client = slackClient(token);
  const results = await Promise.allSettled(targets.map((channel) => client.chat.postMessage({ channel, text: message.text, blocks: asBlocks(message.blocks), unfurl_links: false })));
  const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${targets[i]}: ${errorText(r.reason)}`] : []));
  if (failed.length === targets.length) throw new Error(failed.join('; '));
  return { recipients: targets.filter((_, i) => results[i]!.status === 'fulfilled'), ...(failed.length ? { failed } : {}) };
}

async function byTeams(notice: QueueNotice, owners: Reviewer[]): Promise<Record<string, unknown> | string> {
  const url = (await channelSecrets()).teamsWebhookUrl;
  if (!url) return 'Teams is not configured (no webhook URL)';
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(queueTeamsCard(notice)), redirect: 'error', signal: AbortSignal.timeout(8000) });
    if (!res.ok) throw new Error(`Teams answered HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
  } catch (err) {
    throw new Error(errorText(err).split(url).join('<webhook URL>')); // the webhook URL is a credential
  }
  return { recipients: owners.map((o) => o.id) };
}
