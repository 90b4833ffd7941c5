/**
 * Knowledge documents: add a new immutable version (its author is the signed-in caller, never a
 * body field), list the latest versions of a collection.
 */
import { listDocuments, putDocument } from '../../knowledge/document-store.js';
import { recordAudit } from '../../records/audit.js';
import { callerIn } from '../authorize.js';
import { JSON_LIMITS } from '../limits.js';
import type { RouteHandlers } from '../route-handlers.js';
import { schemas } from '../route-table.js';
import { jsonBody, parseOrThrow } from '../validate.js';

// The store checks the collection's shape first (400 naming it), so no odd name becomes a key.
export const knowledgeRoutes: RouteHandlers<'listDocuments' | 'putDocument'> = {
  listDocuments: async (c) => c.json({ documents: await listDocuments(c.req.param('collection') ?? '') }),
  putDocument: async (c) => {
    const collection = c.req.param('collection') ?? '';
    const body = parseOrThrow(schemas.putDocument, await jsonBody(c, JSON_LIMITS.knowledge), 'body');
    const version = await putDocument({ collection, ...body, author: callerIn(c).id });
    if (!version.unchanged) {
      await recordAudit({
        subject: `knowledge#${version.collection}`,
        type: 'knowledge.version_added',
        actor: version.author,
        details: { docId: version.docId, version: version.version, sha256: version.sha256, s3Key: version.s3Key, s3VersionId: version.s3VersionId },
      });
    }
    return c.json(version, version.unchanged ? 200 : 201);
  },
};
