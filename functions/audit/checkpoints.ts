/**
 * Signed checkpoints of the audit trail: every few minutes (a schedule; functions/scheduled/
 * audit-checkpoint) the head of each stream that grew since the last checkpoint — its last event's
 * number and hash — is signed with the stage's signing secret and appended to the checkpoint stream.
 * A chain alone can be rewritten from the first changed event on by anyone who can write the table;
 * a checkpoint cannot be, without the key: verify-chain.ts finds any event changed, removed or
 * slipped in before a checkpoint that saw its stream.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from '../shared/canonical-json.js';
import { signingSecret } from '../shared/signing-secret.js';
import { allAuditEvents, auditTrail, recordAudit, type AuditEvent } from '../records/audit.js';

export const CHECKPOINT_STREAM = 'audit#checkpoint';
export const CHECKPOINT_ACTOR = 'handrail-checkpoint';

export type StreamHeads = Record<string, { seq: number; hash: string }>;

export interface Checkpoint {
  readonly seq: number;
  readonly time: string;
  /** What it signs: each stream's last event recorded by then (a while before it ran, so that every such event had been written). */
  readonly asOf: string;
  readonly heads: StreamHeads;
  readonly signature: string;
}

/**
 * How long before a checkpoint runs its `asOf` is: an event is dated when its writer appends it and
 * is in the table moments later, so a checkpoint that signed up to "now" could miss one dated just
 * before and call it inserted afterwards. Two minutes is far beyond any append.
 */
export const CHECKPOINT_SETTLE_MS = 2 * 60_000;

const sign = (key: string, asOf: string, heads: StreamHeads) => createHmac('sha256', key).update(`handrail-audit-checkpoint\n${asOf}\n${canonicalJson(heads)}`).digest('hex');

export async function signatureHolds(checkpoint: Pick<Checkpoint, 'asOf' | 'heads' | 'signature'>): Promise<boolean> {
  const expected = Buffer.from(sign(await signingSecret(), checkpoint.asOf, checkpoint.heads), 'hex');
  const given = Buffer.from(String(checkpoint.signature), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function checkpointOf(event: AuditEvent): Checkpoint {
  const details = (event.details ?? {}) as { asOf?: string; heads?: StreamHeads; signature?: string };
  return { seq: event.seq, time: event.time, asOf: details.asOf ?? event.time, heads: details.heads ?? {}, signature: details.signature ?? '' };
}

/** The last event of each stream (the checkpoint stream aside). */
export function headsOf(events: AuditEvent[]): StreamHeads {
  const heads: StreamHeads = {};
  for (const e of events) {
    if (e.subject === CHECKPOINT_STREAM) continue;
    if (!heads[e.subject] || heads[e.subject]!.seq < e.seq) heads[e.subject] = { seq: e.seq, hash: e.hash };
  }
  return heads;
}

/**
 * Signs, as of CHECKPOINT_SETTLE_MS before `now` (the schedule's time), the heads of the streams
 * that grew since the last checkpoint; none when nothing did.
 */
export async function writeCheckpoint(now: number = Date.now()): Promise<{ streams: number }> {
  const asOf = new Date(now - CHECKPOINT_SETTLE_MS).toISOString();
  const [events, earlier] = await Promise.all([allAuditEvents(), auditTrail(CHECKPOINT_STREAM)]);
  const seen: StreamHeads = {};
  for (const c of earlier.map(checkpointOf)) Object.assign(seen, c.heads);
  const grown = Object.fromEntries(Object.entries(headsOf(events.filter((e) => e.time <= asOf))).filter(([subject, head]) => seen[subject]?.seq !== head.seq));
  if (Object.keys(grown).length === 0) return { streams: 0 };
  await recordAudit({ subject: CHECKPOINT_STREAM, type: 'audit.checkpoint', actor: CHECKPOINT_ACTOR, details: { asOf, heads: grown, signature: sign(await signingSecret(), asOf, grown) } });
  return { streams: Object.keys(grown).length };
}
