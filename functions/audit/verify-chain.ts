/**
 * `npx handrail audit verify` (GET /audit/verify): walks every stream of the audit trail and says
 * where it was tampered with. Each event must sit at the place its number names, carry the hash of
 * its own content (else it was edited) and of the event before (else one before it was replaced),
 * and follow the one before without a gap (else one was deleted); each signed checkpoint must hold
 * (functions/audit/checkpoints.ts), and the events it saw must still be there, unchanged, with none
 * slipped in before it (an event dated before a checkpoint's `asOf` that saw its stream end earlier
 * was inserted). An event an erasure redacted holds only as the erasure left it (functions/audit/
 * erasures.ts). `from`/`to` limit the report to events recorded in that window.
 */
import { allAuditEvents, eventKey, GENESIS, type AuditEvent } from '../records/audit.js';
import { CHECKPOINT_STREAM, checkpointOf, signatureHolds } from './checkpoints.js';
import { ERASURE_STREAM, erasedEvents, hashHolds, placeKey } from './erasures.js';

export type TamperKind = 'edited' | 'deleted' | 'inserted' | 'chain_broken' | 'checkpoint_forged' | 'erasure_forged';

export interface TamperFinding {
  readonly kind: TamperKind;
  readonly subject: string;
  readonly seq: number;
  /** When the event concerned says it was recorded (the one after a deleted event). */
  readonly time?: string;
  readonly message: string;
}

export interface AuditVerification {
  readonly ok: boolean;
  readonly streams: number;
  readonly events: number;
  readonly checkpoints: number;
  /** Events after the last checkpoint of their stream: chained, not yet signed. */
  readonly unsigned: number;
  /** Events a person's data was erased from, each exactly as its erasure left it. */
  readonly redacted: number;
  readonly findings: TamperFinding[];
}

export async function verifyAuditTrail({ from, to }: { from?: string; to?: string } = {}): Promise<AuditVerification> {
  const events = await allAuditEvents();
  const streams = new Map<string, AuditEvent[]>();
  for (const e of events) {
    const stream = streams.get(e.subject);
    if (stream) stream.push(e);
    else streams.set(e.subject, [e]);
  }
  const findings: TamperFinding[] = [];
  const find = (kind: TamperKind, e: Pick<AuditEvent, 'subject' | 'seq'> & { time?: string }, message: string) =>
    findings.push({ kind, subject: e.subject, seq: e.seq, ...(e.time ? { time: e.time } : {}), message: `${e.subject} #${e.seq}: ${message}` });

  const { erased, forged } = await erasedEvents(streams.get(ERASURE_STREAM) ?? []);
  for (const e of forged) find('erasure_forged', e, "its signature does not hold with this stage's signing secret: the events it says it erased are judged as they are");
  let redacted = 0;

  for (const [, stream] of streams) {
    stream.sort((a, b) => a.seq - b.seq || a.at.localeCompare(b.at));
    let before: AuditEvent | undefined;
    for (const e of stream) {
      if (!Number.isInteger(e.seq) || e.at !== eventKey(e.seq)) {
        find('inserted', e, `an item at ${e.at} that is not the event its number names (${eventKey(Number(e.seq))}): written outside the trail`);
        continue;
      }
      const erasure = erased.get(placeKey(e.subject, e.seq));
      if (!hashHolds(e, erasure)) find('edited', e, 'its content no longer matches its hash: it was changed after it was recorded');
      else if (erasure) redacted++;
      const expectedSeq = (before?.seq ?? 0) + 1;
      if (e.seq > expectedSeq) find('deleted', { subject: e.subject, seq: expectedSeq, time: e.time }, `missing: event${e.seq - expectedSeq > 1 ? `s ${expectedSeq}–${e.seq - 1} are` : ' is'} gone (#${e.seq} follows #${before?.seq ?? 0})`);
      else if (e.prev !== (before?.hash ?? GENESIS)) find('chain_broken', e, `it commits to a different event #${e.seq - 1} than the one there now: #${e.seq - 1} was replaced`);
      before = e;
    }
  }

  const checkpoints = (streams.get(CHECKPOINT_STREAM) ?? []).map(checkpointOf);
  const lastSigned = new Map<string, number>();
  for (const c of checkpoints) {
    if (!(await signatureHolds(c))) {
      find('checkpoint_forged', { subject: CHECKPOINT_STREAM, seq: c.seq, time: c.time }, "its signature does not hold with this stage's signing secret");
      continue;
    }
    for (const [subject, head] of Object.entries(c.heads)) {
      const stream = streams.get(subject) ?? [];
      const signed = stream.find((e) => e.seq === head.seq);
      if (!signed) find('deleted', { subject, seq: head.seq, time: c.time }, `checkpoint #${c.seq} (as of ${c.asOf}) signed it; it is gone`);
      else if (signed.hash !== head.hash) find('edited', signed, `it is not the event checkpoint #${c.seq} (as of ${c.asOf}) signed: the stream was rewritten up to it`);
      for (const later of stream.filter((e) => e.seq > head.seq && e.time <= c.asOf)) {
        find('inserted', later, `dated ${later.time}, before checkpoint #${c.seq} (as of ${c.asOf}), which saw the stream end at #${head.seq}`);
      }
      lastSigned.set(subject, Math.max(lastSigned.get(subject) ?? 0, head.seq));
    }
  }

  const inWindow = (f: TamperFinding) => (!from || !f.time || f.time >= from) && (!to || !f.time || f.time <= to);
  const reported = findings.filter(inWindow);
  const chained = events.filter((e) => e.subject !== CHECKPOINT_STREAM);
  return {
    ok: reported.length === 0,
    streams: [...streams.keys()].filter((s) => s !== CHECKPOINT_STREAM).length,
    events: chained.length,
    checkpoints: checkpoints.length,
    unsigned: chained.filter((e) => e.seq > (lastSigned.get(e.subject) ?? 0)).length,
    redacted,
    findings: reported,
  };
}
