/**
 * The audit trail a page at a time, for exports (GET /audit/events, npx handrail audit export):
 * every event of every stream recorded in a time window, in no particular order (a scan), with a
 * signed cursor for the next page. Apart from audit.ts, which every writer imports, because only
 * listings need the signing secret.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/aws-clients.js';
import { ENV } from '../shared/env-names.js';
import { requireEnv } from '../shared/env.js';
import { EVENTS_ONLY, type AuditEvent } from './audit.js';
import { decodeCursor, encodeCursor } from './cursors.js';

export interface AuditPage {
  readonly events: AuditEvent[];
  /** More to read (a page can be empty while the scan goes on). */
  readonly nextCursor?: string;
}

const SCOPE = 'audit:scan';

export async function auditEventsPage({ from, to, limit, cursor }: { from?: string; to?: string; limit: number; cursor?: string }): Promise<AuditPage> {
  const window = [from ? '#time >= :from' : '', to ? '#time <= :to' : ''].filter(Boolean);
  const out = await documentClient().send(
    new ScanCommand({
      TableName: requireEnv(ENV.auditTable),
      Limit: limit,
      ExclusiveStartKey: await decodeCursor(cursor, SCOPE),
      FilterExpression: [EVENTS_ONLY.expression, ...window].join(' AND '),
      ExpressionAttributeNames: { ...EVENTS_ONLY.names, ...(window.length ? { '#time': 'time' } : {}) },
      ExpressionAttributeValues: { ...EVENTS_ONLY.values, ...(from ? { ':from': from } : {}), ...(to ? { ':to': to } : {}) },
    }),
  );
  return { events: (out.Items ?? []) as AuditEvent[], nextCursor: await encodeCursor(out.LastEvaluatedKey, SCOPE) };
}
