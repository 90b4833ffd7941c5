/** Knowledge documents: add a new immutable version, list the latest versions of a collection. */
import { Hono } from 'hono';
import * as z from 'zod';
import { listDocuments, putDocument } from '../../knowledge/document-store.js';
import { recordAudit } from '../../records/audit.js';
import { JSON_LIMITS } from '../limits.js';
import { jsonBody, parseOrThrow } from '../validate.js';

const putBody = z
  .object({
    fileName: z.string().min(1).max(255),
    content: z.string().min(1, 'content must not be empty'),
    author: z.string().trim().min(1, 'author is required').max(320),
    docId: z.string().max(128).optional(),
  })
  .strict();

export const knowledge = new Hono()
  // The store checks the collection's shape first (400 naming it), so no odd name becomes a key.
  .get('/:collection/documents', async (c) => c.json({ documents: await listDocuments(c.req.param('collection')) }))
  .post('/:collection/documents', async (c) => {
    const collection = c.req.param('collection');
    const body = parseOrThrow(putBody, await jsonBody(c, JSON_LIMITS.knowledge), 'body');
    const version = await putDocument({ collection, ...body });
    if (!version.unchanged) {
      await recordAudit({
        subject: `knowledge#${version.collection}`,
        type: 'knowledge.version_added',
        actor: version.author,
        details: { docId: version.docId, version: version.version, sha256: version.sha256, s3Key: version.s3Key, s3VersionId: version.s3VersionId },
      });
    }
    return c.json(version, version.unchanged ? 200 : 201);
  });
