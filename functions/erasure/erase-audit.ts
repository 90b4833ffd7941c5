/**
 * Erasure in the audit trail: each event whose `actor` or `details` holds the address, redacted, and
 * the place it takes in the erasure's record (functions/audit/erasures.ts): the event as it will be
 * stored, and the digests its hash committed to for what is removed (carried over from an earlier
 * erasure of the same event). The events are rewritten only after the erasure is recorded, so a
 * stop in between leaves an event unchanged (it verifies as it is) and never one nobody vouches for.
 */
import { allAuditEvents, eventHash, leafDigest, legacyEventHash, rewriteErased, storedDigest, type AuditEvent } from '../records/audit.js';
import { ERASURE_STREAM, erasedEvents, placeKey, sealLeaves, type ErasedPlace } from '../audit/erasures.js';
import { valueAt } from '../shared/json-pointer.js';
import { redactTree } from './redact-subject.js';

export interface AuditRedactions {
  readonly places: ErasedPlace[];
  /** Writes the redacted events (after the erasure that names them is recorded); how many were. */
  readonly rewrite: () => Promise<number>;
}

export async function auditRedactions(pattern: RegExp, erasureId: string): Promise<AuditRedactions> {
  const events = await allAuditEvents();
  const { erased } = await erasedEvents(events.filter((e) => e.subject === ERASURE_STREAM));
  const places: ErasedPlace[] = [];
  const writes: { event: AuditEvent; actor: string; details?: Record<string, unknown> }[] = [];
  for (const event of events) {
    const changed: string[] = [];
    const actor = redactTree(event.actor, pattern, '/actor', changed) as string;
    const details = event.details === undefined ? undefined : (redactTree(event.details, pattern, '/details', changed) as Record<string, unknown>);
    if (!changed.length) continue;
    const before = erased.get(placeKey(event.subject, event.seq));
    // Events hashed before erasure was possible commit to their content whole: no digest to keep.
    const legacy = before ? before.legacy : event.hash !== eventHash(event) && event.hash === legacyEventHash(event);
    const kept = new Map(before?.kept ?? []);
    if (!legacy) for (const pointer of changed) if (!kept.has(pointer)) kept.set(pointer, leafDigest(String(valueAt(event, pointer))));
    const stored = storedDigest(JSON.parse(JSON.stringify({ ...event, actor, details })) as AuditEvent);
    places.push({ subject: event.subject, seq: event.seq, stored, leaves: legacy ? {} : await sealLeaves(erasureId, event, kept), ...(legacy ? { legacy: true as const } : {}) });
    writes.push({ event, actor, details });
  }
  const rewrite = async () => {
    let written = 0;
    for (const w of writes) if (await rewriteErased(w.event, w.actor, w.details)) written++;
    return written;
  };
  return { places, rewrite };
}
