/**
 * Lambda on a schedule (one EventBridge rule per collection, stages.yaml `knowledgeSync`): the
 * collection follows its S3 prefix (functions/knowledge/sync.ts): new versions for changed files,
 * removals for files gone, nothing for the rest; each version and removal audited, authored by
 * `knowledge-sync`. The rule's input names the collection; the prefix comes from the function's own
 * configuration, never from the event.
 */
import * as z from 'zod';
import { putDocument, listDocuments, removeDocument } from '../../knowledge/document-store.js';
import { s3Source } from '../../knowledge/s3-source.js';
import { syncCollection, syncSummary, type SyncStore } from '../../knowledge/sync.js';
import { collectionName } from '../../knowledge/validation.js';
import { auditRemoval, auditVersion } from '../../knowledge/version-audit.js';
import { s3Client } from '../../shared/aws-clients.js';
import { jsonEnv } from '../../shared/env.js';
import { ENV } from '../../shared/env-names.js';
import { ValidationError } from '../../shared/errors.js';
import { stepHandler } from '../../shared/lambda-handler.js';
import { logger } from '../../shared/logger.js';

/** Who the versions a scheduled sync writes are authored by (the audit trail's actor). */
export const SYNC_AUTHOR = 'knowledge-sync';

const eventSchema = z.object({ collection: collectionName }).strict();
const sourcesSchema = z.record(z.string(), z.string());

/** The collection's documents in the store, written as the sync's author and audited. */
function storeOf(collection: string): SyncStore {
  return {
    latest: () => listDocuments(collection),
    put: async ({ docId, fileName, content, source }) => {
      const version = await putDocument({ collection, docId, fileName, content, source, author: SYNC_AUTHOR });
      if (!version.unchanged) await auditVersion(version, { source });
    },
    remove: async (docId, reason, source) => {
      const removed = await removeDocument(collection, docId, SYNC_AUTHOR, source);
      if (!removed.unchanged) await auditRemoval(removed, reason, source);
    },
  };
}

export const handler = stepHandler(eventSchema, async ({ collection }) => {
  const from = jsonEnv(ENV.knowledgeSources, sourcesSchema, 'the collections this function syncs')[collection];
  if (!from) throw new ValidationError(`collection: ${collection} follows no source here (stages.yaml knowledgeSync)`, 'collection');
  const source = await s3Source(s3Client(), from);
  const counts = await syncCollection(source, storeOf(collection), { warn: (message) => logger.warn(message, { collection }) });
  logger.info(syncSummary(collection, counts), { collection, ...counts });
  return { collection, from: source.id, ...counts };
});
