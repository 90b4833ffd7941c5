/**
 * Audit events (the audit table): who did what to which run or approval, and when. Append-only:
 * each event has its own sort key, so a write never overwrites another.
 */
import { randomUUID } from 'node:crypto';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/aws-clients.js';
import { ENV } from '../shared/env-names.js';
import { requireEnv } from '../shared/env.js';

export type AuditEventType =
  | 'approval.decided'
  | 'approval.vote'
  | 'approval.item_decided'
  | 'approval.auto_approved'
  | 'autonomy.engaged'
  | 'autonomy.suspended'
  | 'approval.reminded'
  | 'approval.escalated'
  | 'approval.expired'
  | 'approval.decision_refused'
  | 'approval.resumed_by_reconciler'
  | 'approval.decision_not_applied'
  | 'review_link.denied'
  | 'run.finished'
  | 'run.needs_human'
  | 'run.restarted'
  | 'delivery.succeeded'
  | 'delivery.failed'
  | 'knowledge.version_added'
  | 'notification.sent'
  | 'notification.skipped'
  | 'notification.failed'
  | 'notification.updated';

export interface AuditEvent {
  readonly subject: string;
  readonly at: string;
  readonly type: AuditEventType;
  readonly actor: string;
  readonly runId?: string;
  readonly details?: Record<string, unknown>;
}

const table = () => requireEnv(ENV.auditTable);

export async function recordAudit(event: Omit<AuditEvent, 'at'>): Promise<void> {
  const at = `${new Date().toISOString()}#${randomUUID().slice(0, 8)}`;
  await documentClient().send(new PutCommand({ TableName: table(), Item: { ...event, at } }));
}

export async function auditTrail(subject: string): Promise<AuditEvent[]> {
  const out = await documentClient().send(
    new QueryCommand({ TableName: table(), KeyConditionExpression: 'subject = :s', ExpressionAttributeValues: { ':s': subject } }),
  );
  return (out.Items ?? []) as AuditEvent[];
}
