/**
 * Audit events (the audit table): who did what to which run or approval, and when. Append-only:
 * each event has its own sort key and is written by a PutItem that only creates (a condition on
 * the key), so no write ever overwrites another; nothing updates or deletes an event, and no
 * function may (infra/constructs/step-handlers.ts, tests/infra/least-privilege.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from './dynamo-helpers.js';
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
  | 'access.denied'
  | 'access.signed_in'
  | 'access.throttled'
  | 'api_key.created'
  | 'api_key.revoked'
  | 'personal_token.created'
  | 'personal_token.revoked'
  | 'user.disabled'
  | 'user.enabled'
  | 'run.finished'
  | 'run.needs_human'
  | 'run.restarted'
  | 'run.execution_failed'
  | 'delivery.succeeded'
  | 'delivery.failed'
  | 'release.deployed'
  | 'release.rolled_back'
  | 'release.promoted'
  | 'release.replayed'
  | 'knowledge.version_added'
  | 'knowledge.labelled'
  | 'knowledge.document_removed'
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

/** The condition every write to the audit table carries: it creates an item, never replaces one. */
export const CREATE_ONLY = 'attribute_not_exists(subject)';
/** Sort keys drawn before giving up; two in a row colliding (same millisecond, same 32 random bits) is already unheard of. */
const MAX_KEY_DRAWS = 3;

export async function recordAudit(event: Omit<AuditEvent, 'at'>): Promise<void> {
  // Named fields only: an event never carries another attribute (the table's TTL attribute would
  // have DynamoDB delete it).
  const { subject, type, actor, runId, details } = event;
  for (let draw = 1; ; draw++) {
    const at = `${new Date().toISOString()}#${randomUUID().slice(0, 8)}`;
    try {
      await documentClient().send(
        new PutCommand({ TableName: table(), Item: { subject, at, type, actor, runId, details }, ConditionExpression: CREATE_ONLY }),
      );
      return;
    } catch (err) {
      if (!isConditionFailure(err) || draw >= MAX_KEY_DRAWS) throw err;
    }
  }
}

export async function auditTrail(subject: string): Promise<AuditEvent[]> {
  const out = await documentClient().send(
    new QueryCommand({ TableName: table(), KeyConditionExpression: 'subject = :s', ExpressionAttributeValues: { ':s': subject } }),
  );
  return (out.Items ?? []) as AuditEvent[];
}
