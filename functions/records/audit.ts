/**
 * Audit events (the audit table): who did what to which run or approval, and when. Append-only and
 * tamper-evident: each subject is a stream whose events are numbered (the sort key) and chained,
 * each carrying the hash of the one before and its own; an event is written by a PutItem that only
 * creates (a condition on the key), so two writers never take one place and no write overwrites
 * another; nothing updates or deletes an event, and no function may (infra/constructs/step-handlers.ts,
 * tests/infra/least-privilege.test.ts). `npx handrail audit verify` (functions/audit/verify-chain.ts)
 * finds an edited, inserted or deleted event.
 *
 * The one rewrite is an erasure (functions/erasure/): a person's email address in an event's
 * `actor` or `details` is replaced by a marker. An event's hash commits to each string of those two
 * through its digest (eventHash), so the erasure keeps the digests of what it removed (sealed, in a
 * signed `subject.erased` event: functions/audit/erasures.ts) and the hash still holds, while
 * anything else changed in the event does not.
 */
import { createHash } from 'node:crypto';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { canonicalJson } from '../shared/canonical-json.js';
import { isConditionFailure, putIf, queryAll, scanAll } from './dynamo-helpers.js';
import { documentClient } from '../shared/aws-clients.js';
import { ENV } from '../shared/env-names.js';
import { requireEnv } from '../shared/env.js';
import { pointerStep } from '../shared/json-pointer.js';

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
  | 'run.redriven'
  | 'run.execution_failed'
  | 'email.received'
  | 'email.quarantined'
  | 'email.rejected'
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
  | 'notification.updated'
  | 'audit.checkpoint'
  | 'subject.erased';

export interface AuditEvent {
  readonly subject: string;
  /** The event's place in its stream (the sort key): `e` and its sequence number, twelve digits. */
  readonly at: string;
  readonly seq: number;
  /** When it was recorded (ISO 8601). */
  readonly time: string;
  readonly type: AuditEventType;
  readonly actor: string;
  readonly runId?: string;
  readonly details?: Record<string, unknown>;
  /** The hash of the stream's event before this one (GENESIS for the first): the chain. */
  readonly prev: string;
  /** sha256 over everything above (eventHash, or legacyEventHash before erasure could be): editing any of it, or the chain before, shows. */
  readonly hash: string;
}

const table = () => requireEnv(ENV.auditTable);

/** What the first event of a stream commits to. */
export const GENESIS = '0'.repeat(64);
/** An event's sort key: sequence numbers sort as text, and never meet other items of the table (`nonce`). */
const EVENT_KEY_PREFIX = 'e';
export const eventKey = (seq: number): string => `${EVENT_KEY_PREFIX}${String(seq).padStart(12, '0')}`;
/** The condition that keeps a read to events (not the table's other items), with its names and values. */
export const EVENTS_ONLY = { expression: 'begins_with(#at, :e)', names: { '#at': 'at' }, values: { ':e': EVENT_KEY_PREFIX } } as const;

/** The digest an event's hash commits to for one string of its `actor` or `details`. */
export function leafDigest(value: string): string {
  return createHash('sha256').update(`handrail-audit-leaf\n${value}`).digest('hex');
}

/** The value with each string replaced by its digest (or, where an erasure removed it, the digest it kept, by JSON Pointer). */
function digestTree(value: unknown, path: string, kept: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string') return kept.get(path) ?? leafDigest(value);
  if (Array.isArray(value)) return value.map((v, i) => digestTree(v, `${path}/${i}`, kept));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, digestTree(v, `${path}/${pointerStep(k)}`, kept)]));
  return value;
}

/**
 * The hash an event carries: over its stream, place, time, what happened, by whom, and the hash
 * before it, with each string of `actor` and `details` committed to by its digest, so that one can
 * be erased and the hash still checked: `kept` gives, by JSON Pointer (`/actor`, `/details/reason`),
 * the digests of what an erasure removed.
 */
export function eventHash(event: Omit<AuditEvent, 'at' | 'hash'>, kept: ReadonlyMap<string, string> = new Map()): string {
  const { subject, seq, time, type, actor, runId, details, prev } = event;
  const committed = { v: 2, subject, seq, time, type, actor: digestTree(actor, '/actor', kept), runId, details: digestTree(details, '/details', kept), prev };
  return createHash('sha256').update(canonicalJson(committed)).digest('hex');
}

/** The hash events carried before erasure was possible (over their content as it is): such an event verifies as it always did. */
export function legacyEventHash(event: Omit<AuditEvent, 'at' | 'hash'>): string {
  const { subject, seq, time, type, actor, runId, details, prev } = event;
  return createHash('sha256').update(canonicalJson({ subject, seq, time, type, actor, runId, details, prev })).digest('hex');
}

/** A digest of an event exactly as stored (what an erasure records it left, so nothing else can change it after). */
export function storedDigest(event: AuditEvent): string {
  const { subject, seq, time, type, actor, runId, details, prev, hash } = event;
  return createHash('sha256').update(canonicalJson({ subject, seq, time, type, actor, runId, details, prev, hash })).digest('hex');
}

/** The condition every write to the audit table carries: it creates an item, never replaces one. */
export const CREATE_ONLY = 'attribute_not_exists(subject)';
/** Appends that lost the race for the next place and read the head again, before giving up. */
const MAX_APPENDS = 20;
/** Each stream's head as this process last wrote or read it (a guess: a stale one costs one failed write). */
const heads = new Map<string, { seq: number; hash: string }>();
const MAX_HEADS = 10_000;
/** Appends to one stream from this process, one after the other (no race among themselves). */
const tails = new Map<string, Promise<unknown>>();

/** Forgets the heads this process knows (a process that runs another local runtime next, on other tables: tests). */
export function resetAuditHeads(): void {
  heads.clear();
}

async function streamHead(subject: string): Promise<{ seq: number; hash: string }> {
  const out = await documentClient().send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: `subject = :s AND ${EVENTS_ONLY.expression}`,
      ExpressionAttributeNames: EVENTS_ONLY.names,
      ExpressionAttributeValues: { ':s': subject, ...EVENTS_ONLY.values },
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  const last = out.Items?.[0] as AuditEvent | undefined;
  return last ? { seq: last.seq, hash: last.hash } : { seq: 0, hash: GENESIS };
}

function remember(subject: string, head: { seq: number; hash: string }): void {
  heads.delete(subject);
  heads.set(subject, head);
  if (heads.size > MAX_HEADS) heads.delete(heads.keys().next().value!);
}

async function append(event: Omit<AuditEvent, 'at' | 'seq' | 'time' | 'prev' | 'hash'>): Promise<void> {
  const { subject, type, actor, runId } = event;
  // Plain JSON, as DynamoDB gives it back: what is hashed is what is stored.
  const details = event.details === undefined ? undefined : (JSON.parse(JSON.stringify(event.details)) as Record<string, unknown>);
  let head = heads.get(subject) ?? { seq: 0, hash: GENESIS };
  for (let attempt = 1; ; attempt++) {
    const base = { subject, seq: head.seq + 1, time: new Date().toISOString(), type, actor, runId, details, prev: head.hash };
    const item: AuditEvent = { ...base, at: eventKey(base.seq), hash: eventHash(base) };
    try {
      await documentClient().send(new PutCommand({ TableName: table(), Item: item, ConditionExpression: CREATE_ONLY }));
      remember(subject, { seq: item.seq, hash: item.hash });
      return;
    } catch (err) {
      // Another writer took this place: read the head and append after it.
      if (!isConditionFailure(err) || attempt >= MAX_APPENDS) throw err;
      head = await streamHead(subject);
    }
  }
}

/**
 * Appends an event to its subject's stream, chained to the one before. Named fields only: an event
 * never carries another attribute (the table's TTL attribute would have DynamoDB delete it).
 */
export function recordAudit(event: Omit<AuditEvent, 'at' | 'seq' | 'time' | 'prev' | 'hash'>): Promise<void> {
  const previous = tails.get(event.subject) ?? Promise.resolve();
  const appended = previous.catch(() => undefined).then(() => append(event));
  tails.set(event.subject, appended);
  void appended.finally(() => {
    if (tails.get(event.subject) === appended) tails.delete(event.subject);
  }).catch(() => undefined);
  return appended;
}

/** A subject's events, in the order they were appended. */
export async function auditTrail(subject: string): Promise<AuditEvent[]> {
  return queryAll<AuditEvent>({
    TableName: table(),
    KeyConditionExpression: `subject = :s AND ${EVENTS_ONLY.expression}`,
    ExpressionAttributeNames: EVENTS_ONLY.names,
    ExpressionAttributeValues: { ':s': subject, ...EVENTS_ONLY.values },
  });
}

/** Every event of every stream (a scan: what audit verify and the checkpoints read), in no particular order. */
export function allAuditEvents(): Promise<AuditEvent[]> {
  return scanAll<AuditEvent>({
    TableName: table(),
    FilterExpression: EVENTS_ONLY.expression,
    ExpressionAttributeNames: EVENTS_ONLY.names,
    ExpressionAttributeValues: EVENTS_ONLY.values,
  });
}

/**
 * Writes an event back with a person's data erased from its `actor` and `details` (functions/
 * erasure/): the one rewrite of an event, conditioned on its hash, which it keeps, so it replaces
 * only the event it read. False when that event is no longer there as read.
 */
export function rewriteErased(event: AuditEvent, actor: string, details: Record<string, unknown> | undefined): Promise<boolean> {
  const { subject, at, seq, time, type, runId, prev, hash } = event;
  const item: AuditEvent = { subject, at, seq, time, type, actor, runId, details, prev, hash };
  return putIf({ TableName: table(), Item: JSON.parse(JSON.stringify(item)) as AuditEvent, ConditionExpression: '#hash = :hash', ExpressionAttributeNames: { '#hash': 'hash' }, ExpressionAttributeValues: { ':hash': hash } });
}
