/**
 * The audit events of knowledge writes, one shape whoever wrote them: a person through the knowledge
 * API, a workflow's approved knowledge edit (with its run and approval), a scheduled sync.
 */
import { recordAudit } from '../records/audit.js';
import type { DocumentVersion } from './document-store.js';

export async function auditVersion(version: DocumentVersion, details: Record<string, unknown> = {}): Promise<void> {
  await recordAudit({
    subject: `knowledge#${version.collection}`,
    type: 'knowledge.version_added',
    actor: version.author,
    details: { docId: version.docId, version: version.version, sha256: version.sha256, s3Key: version.s3Key, s3VersionId: version.s3VersionId, ...details },
  });
}

export async function auditRemoval(removed: DocumentVersion, reason: string, source?: DocumentVersion['source']): Promise<void> {
  await recordAudit({
    subject: `knowledge#${removed.collection}`,
    type: 'knowledge.document_removed',
    actor: removed.author,
    details: { docId: removed.docId, version: removed.version, reason, ...(source ? { source } : {}) },
  });
}
