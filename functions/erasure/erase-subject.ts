/**
 * `npx handrail erase --subject <email>` (POST /erasures): a person's email address is replaced by
 * a marker in every run, step record, approval and audit event that holds it (functions/erasure/
 * erase-records.ts, erase-audit.ts), and the erasure is itself recorded: a `subject.erased` audit
 * event (stream `audit#erasures`) with who asked, why, a keyed hash of the address (never the
 * address), the counts, and the audit events it changed, so `audit verify` still holds. Erasing the
 * same person again finds nothing more and records that it looked.
 *
 * @example await eraseSubject({ email: 'pat@example.com', reason: 'GDPR request 2026-114', erasedBy: 'admin@example.com' })
 */
import { randomBytes } from 'node:crypto';
import { recordAudit } from '../records/audit.js';
import { ERASURE_STREAM, signErasure, subjectKeyOf, type ErasedPlace, type ErasureCounts } from '../audit/erasures.js';
import { auditRedactions } from './erase-audit.js';
import { eraseFromRecords } from './erase-records.js';
import { redactTree, subjectPattern } from './redact-subject.js';

export interface ErasureRequest {
  readonly email: string;
  readonly reason?: string;
  readonly erasedBy: string;
}

export interface ErasureSummary {
  readonly erasureId: string;
  readonly subjectKey: string;
  readonly counts: ErasureCounts;
}

/** Places per `subject.erased` event: a large erasure is recorded in parts, each well under DynamoDB's 400 KB item. */
const PLACES_PER_EVENT = 500;

export async function eraseSubject(request: ErasureRequest): Promise<ErasureSummary> {
  const pattern = subjectPattern(request.email);
  const erasureId = `era-${randomBytes(8).toString('hex')}`;
  const records = await eraseFromRecords(pattern);
  const audit = await auditRedactions(pattern, erasureId);
  const counts: ErasureCounts = { ...records, auditEvents: audit.places.length };
  const subjectKey = await subjectKeyOf(request.email);
  // The reason is the requester's words: the address is not kept there either.
  const reason = request.reason === undefined ? undefined : (redactTree(request.reason, pattern, '', []) as string);
  const parts: ErasedPlace[][] = [];
  for (let i = 0; i < audit.places.length; i += PLACES_PER_EVENT) parts.push(audit.places.slice(i, i + PLACES_PER_EVENT));
  if (!parts.length) parts.push([]);
  for (const [i, places] of parts.entries()) {
    await recordAudit({
      subject: ERASURE_STREAM,
      type: 'subject.erased',
      actor: request.erasedBy,
      details: { erasureId, subjectKey, ...(reason ? { reason } : {}), counts, part: i + 1, parts: parts.length, places, signature: await signErasure(erasureId, places) },
    });
  }
  await audit.rewrite();
  return { erasureId, subjectKey, counts };
}
