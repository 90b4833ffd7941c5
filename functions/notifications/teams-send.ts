/** Posts the approval card to the Teams webhook (TEAMS_WEBHOOK_URL or the channel secret). */
import type { Reviewer } from '../../state-machines/directory.js';
import { reviewLinksFor } from '../approvals/review-links.js';
import type { ApprovalRecord } from '../records/approvals.js';
import { channelSecrets } from './channel-config.js';
import { errorText, noteNotification } from './notification-audit.js';
import { teamsCard } from './teams-card.js';

export async function notifyTeams(approval: ApprovalRecord, reviewers: Reviewer[]): Promise<void> {
  const url = (await channelSecrets()).teamsWebhookUrl;
  if (!url) return noteNotification(approval, 'notification.skipped', 'teams', { reason: 'Teams is not configured (no webhook URL)' });
  try {
    const card = teamsCard(approval, reviewers, await reviewLinksFor(approval));
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(card),
      redirect: 'error',
      signal: AbortSignal.timeout(8000),
    });
    if (!res.ok) throw new Error(`Teams answered HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
    // The webhook URL is a credential: the audit names the channel, never the URL.
    await noteNotification(approval, 'notification.sent', 'teams', { recipients: reviewers.map((r) => r.id) });
  } catch (err) {
    await noteNotification(approval, 'notification.failed', 'teams', { error: errorText(err).split(url).join('<webhook URL>') });
  }
}
