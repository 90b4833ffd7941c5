/**
 * Audit notes for notifications. Each write swallows its own failure (logged): a channel, or
 * the note about it, must never fail the approval it reports on.
 */
import { recordAudit, type AuditEventType } from '../records/audit.js';
import { logger } from '../shared/logger.js';

export type Channel = 'slack' | 'email' | 'teams';

/** What a notification is about: an approval request of a run, or the run itself (its human queue's owners). */
export interface NotificationSubject {
  readonly runId: string;
  readonly approvalId?: string;
}

export async function noteNotification(
  about: NotificationSubject,
  type: Extract<AuditEventType, `notification.${string}`>,
  channel: Channel,
  details: Record<string, unknown> = {},
): Promise<void> {
  const ref = about.approvalId ? { approvalId: about.approvalId } : { about: 'human_queue' };
  if (type === 'notification.failed') logger.warn('notification failed', { runId: about.runId, ...ref, channel, ...details });
  try {
    await recordAudit({ subject: about.runId, runId: about.runId, type, actor: 'handrail', details: { ...ref, channel, ...details } });
  } catch (err) {
    logger.error('could not record a notification audit event', { runId: about.runId, ...ref, channel, type, error: err as Error });
  }
}

export function errorText(err: unknown): string {
  const e = err as { message?: string; data?: { error?: string } };
  return String(e?.data?.error ?? e?.message ?? err).slice(0, 500);
}
