/**
 * Knowledge documents: add a new immutable version (its author is the signed-in caller, never a
 * body field), list the latest versions of a collection. Each collection says who may write it
 * (state-machines/collections.yaml); a refused caller is audited and changes nothing.
 */
import type { Context } from 'hono';
import { assertMayList, assertMayWrite } from '../../knowledge/collection-access.js';
import { listDocuments, putDocument } from '../../knowledge/document-store.js';
import { collectionName, parseInput } from '../../knowledge/validation.js';
import { recordAudit } from '../../records/audit.js';
import { ForbiddenError } from '../../shared/errors.js';
import { callerIn, refused } from '../authorize.js';
import { JSON_LIMITS } from '../limits.js';
import type { RouteHandlers } from '../route-handlers.js';
import { ROUTES, schemas, type RouteSpec } from '../route-table.js';
import { jsonBody, parseOrThrow } from '../validate.js';

/** The path's collection, checked for shape (400 naming it) and for the caller's access (404, or 403 audited). */
async function collectionFor(c: Context, route: RouteSpec, check: typeof assertMayWrite): Promise<string> {
  const collection = parseInput(collectionName, c.req.param('collection') ?? '');
  const caller = callerIn(c);
  try {
    check(caller, collection);
  } catch (err) {
    if (err instanceof ForbiddenError) throw await refused(caller, route, err);
    throw err;
  }
  return collection;
}

export const knowledgeRoutes: RouteHandlers<'listDocuments' | 'putDocument'> = {
  listDocuments: async (c) => c.json({ documents: await listDocuments(await collectionFor(c, ROUTES.listDocuments, assertMayList)) }),
  putDocument: async (c) => {
    const collection = await collectionFor(c, ROUTES.putDocument, assertMayWrite);
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
