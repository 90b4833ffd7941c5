/**
 * What an erasure leaves in the audit trail, and how verification reads it. An erasure
 * (functions/erasure/) replaces a person's email address in events' `actor` and `details` and
 * appends a `subject.erased` event to the stream `audit#erasures` saying, for each event it changed
 * (a place: stream and number), the digest of the event as it left it, and the digests the event's
 * hash committed to for the strings it removed (eventHash's `kept`). Those digests are sealed (XOR
 * with a pad only the stage's signing secret derives), since a bare digest of an address would let
 * anyone confirm a guess of it, and the whole list is signed with the same secret.
 *
 * So an erased event verifies only as the erasure left it: its hash must still hold with the kept
 * digests (only strings were removed; nothing else changed), and the event must be exactly what the
 * erasure recorded (no edit after). An event recorded before erasure was possible (legacyEventHash)
 * commits to its content as a whole: for it only the second holds, on the erasure's signed word.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from '../shared/canonical-json.js';
import { signingSecret } from '../shared/signing-secret.js';
import { eventHash, legacyEventHash, storedDigest, type AuditEvent } from '../records/audit.js';

export const ERASURE_STREAM = 'audit#erasures';

/** One event an erasure changed. `leaves`: JSON Pointer → the sealed digest of what was there. */
export interface ErasedPlace {
  readonly subject: string;
  readonly seq: number;
  /** storedDigest of the event as the erasure left it. */
  readonly stored: string;
  readonly leaves: Record<string, string>;
  /** The event hashes its content as a whole (recorded before erasure was possible). */
  readonly legacy?: true;
}

export interface ErasureDetails {
  readonly erasureId: string;
  /** A keyed hash of the erased email address (subjectKeyOf): the same person erased twice has the same key; the address is never kept. */
  readonly subjectKey: string;
  readonly reason?: string;
  readonly counts: ErasureCounts;
  readonly places: ErasedPlace[];
  /** HMAC with the signing secret over the erasure id and its places. */
  readonly signature: string;
}

export interface ErasureCounts {
  readonly runs: number;
  readonly steps: number;
  readonly approvals: number;
  readonly citations: number;
  readonly auditEvents: number;
}

/** What verification knows of an erased event: its last erasure's word, with the digests unsealed. */
export interface ErasedEvent {
  readonly stored: string;
  readonly kept: ReadonlyMap<string, string>;
  readonly legacy: boolean;
}

export const placeKey = (subject: string, seq: number) => `${subject}\n${seq}`;

const hmac = async (message: string) => createHmac('sha256', await signingSecret()).update(message).digest();

/** The erased person's key: the same for every spelling of the address (case), useless without the secret. */
export async function subjectKeyOf(email: string): Promise<string> {
  return (await hmac(`handrail-erasure-subject\n${email.trim().toLowerCase()}`)).toString('hex');
}

/** Seals or unseals (the same XOR) one kept digest, with a pad unique to the erasure, the event and the place in it. */
async function sealed(erasureId: string, place: Pick<ErasedPlace, 'subject' | 'seq'>, pointer: string, digestHex: string): Promise<string> {
  const pad = await hmac(`handrail-erasure-pad\n${erasureId}\n${place.subject}\n${place.seq}\n${pointer}`);
  const digest = Buffer.from(digestHex, 'hex');
  return Buffer.from(digest.map((b, i) => b ^ pad[i]!)).toString('hex');
}

export async function sealLeaves(erasureId: string, place: Pick<ErasedPlace, 'subject' | 'seq'>, kept: ReadonlyMap<string, string>): Promise<Record<string, string>> {
  const leaves: Record<string, string> = {};
  for (const [pointer, digest] of kept) leaves[pointer] = await sealed(erasureId, place, pointer, digest);
  return leaves;
}

export async function signErasure(erasureId: string, places: readonly ErasedPlace[]): Promise<string> {
  return (await hmac(`handrail-erasure\n${erasureId}\n${canonicalJson(places)}`)).toString('hex');
}

async function signatureHolds(details: ErasureDetails): Promise<boolean> {
  const expected = Buffer.from(await signErasure(String(details.erasureId), details.places ?? []), 'hex');
  const given = Buffer.from(String(details.signature), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The erased events, each as its latest erasure left it (an erasure that changes an event erased
 * before carries the earlier kept digests forward), from the erasure stream's events; `forged`:
 * erasure events whose signature does not hold, whose word is not taken.
 */
export async function erasedEvents(erasures: readonly AuditEvent[]): Promise<{ erased: Map<string, ErasedEvent>; forged: AuditEvent[] }> {
  const erased = new Map<string, ErasedEvent>();
  const forged: AuditEvent[] = [];
  for (const e of [...erasures].sort((a, b) => a.seq - b.seq)) {
    if (e.type !== 'subject.erased') continue;
    const details = e.details as unknown as ErasureDetails;
    if (!(await signatureHolds(details))) {
      forged.push(e);
      continue;
    }
    for (const place of details.places) {
      const kept = new Map<string, string>();
      for (const [pointer, seal] of Object.entries(place.leaves)) kept.set(pointer, await sealed(details.erasureId, place, pointer, seal));
      erased.set(placeKey(place.subject, place.seq), { stored: place.stored, kept, legacy: place.legacy === true });
    }
  }
  return { erased, forged };
}

/**
 * Whether an event's hash holds: over its content as it is (never erased), or, for an erased one,
 * exactly as its erasure left it.
 */
export function hashHolds(event: AuditEvent, erased: ErasedEvent | undefined): boolean {
  if (event.hash === eventHash(event) || event.hash === legacyEventHash(event)) return true;
  if (!erased || erased.stored !== storedDigest(event)) return false;
  return erased.legacy || event.hash === eventHash(event, erased.kept);
}
