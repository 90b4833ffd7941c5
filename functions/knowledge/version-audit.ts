/**
 * The audit event of a new knowledge version, one shape whoever wrote it: a person through the
 * knowledge API, or a workflow's approved knowledge edit (with its run and approval).
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
