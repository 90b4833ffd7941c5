/**
 * Audit notes for notifications. Each write swallows its own failure (logged): a channel, or
 * the note about it, must never fail the approval it reports on.
 */
import { recordAudit, type AuditEventType } from '../records/audit.js';
import { logger } from '../shared/logger.js';

export type Channel = 'slack' | 'email' | 'teams';

export async function noteNotification(
  approval: { approvalId: string; runId: string },
  type: Extract<AuditEventType, `notification.${string}`>,
  channel: Channel,
  details: Record<string, unknown> = {},
): Promise<void> {
  if (type === 'notification.failed') logger.warn('notification failed', { approvalId: approval.approvalId, channel, ...details });
  try {
    await recordAudit({ subject: approval.runId, runId: approval.runId, type, actor: 'handrail', details: { approvalId: approval.approvalId, channel, ...details } });
  } catch (err) {
    logger.error('could not record a notification audit event', { approvalId: approval.approvalId, channel, type, error: err as Error });
  }
}

export function errorText(err: unknown): string {
  const e = err as { message?: string; data?: { error?: string } };
  return String(e?.data?.error ?? e?.message ?? err).slice(0, 500);
}
