/**
 * Knowledge documents: add a new immutable version (its author is the signed-in caller, never a
 * body field), list the latest versions of a collection. Each collection says who may write it
 * (state-machines/collections.yaml); a refused caller is audited and changes nothing.
 */
import type { Context } from 'hono';
import { assertMayList, assertMayWrite } from '../../knowledge/collection-access.js';
import { documentHistory, getDocumentText, getDocumentVersion, listDocuments, putDocument, removeDocument, type DocumentVersion } from '../../knowledge/document-store.js';
import { auditVersion } from '../../knowledge/version-audit.js';
import { listLabels, putLabel, snapshotKey, snapshotsWith } from '../../knowledge/snapshots.js';
import { collectionName, docIdSchema, parseInput } from '../../knowledge/validation.js';
import { runsBySnapshot } from '../../records/runs.js';
import { recordAudit } from '../../records/audit.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../shared/errors.js';
import { callerIn, refused } from '../authorize.js';
import { JSON_LIMITS } from '../limits.js';
import type { RouteHandlers } from '../route-handlers.js';
import { ROUTES, schemas, type KnowledgeRouteId, type RouteSpec } from '../route-table.js';
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

/** The path's document id and version: a version that cannot exist is a 404. */
function versionIn(c: Context): { docId: string; version: number } {
  const docId = parseInput(docIdSchema, c.req.param('docId') ?? '', 'docId');
  const raw = c.req.param('version') ?? '';
  if (!/^[1-9]\d{0,8}$/.test(raw)) throw new NotFoundError(`No version ${raw.slice(0, 20)} of ${docId}`);
  return { docId, version: Number(raw) };
}

/** Every route under /knowledge/ (route-table.ts KnowledgeRouteId): the knowledge function serves exactly these (knowledge-handler.ts). */
export const knowledgeRoutes: RouteHandlers<KnowledgeRouteId> = {
  listDocuments: async (c) => c.json({ documents: await listDocuments(await collectionFor(c, ROUTES.listDocuments, assertMayList)) }),
  putDocument: async (c) => {
    const collection = await collectionFor(c, ROUTES.putDocument, assertMayWrite);
    const body = parseOrThrow(schemas.putDocument, await jsonBody(c, JSON_LIMITS.knowledge), 'body');
    const version = await putDocument({ collection, ...body, author: callerIn(c).id });
    if (!version.unchanged) await auditVersion(version);
    return c.json(version, version.unchanged ? 200 : 201);
  },
  knowledgeHistory: async (c) => {
    const collection = await collectionFor(c, ROUTES.knowledgeHistory, assertMayList);
    const { docId } = parseOrThrow(schemas.knowledgeHistory, c.req.query(), 'query');
    return c.json({ versions: await documentHistory(collection, docId) });
  },
  getDocumentVersion: async (c) => {
    const collection = await collectionFor(c, ROUTES.getDocumentVersion, assertMayList);
    const { docId, version } = versionIn(c);
    const found = await getDocumentVersion(collection, docId, version);
    return c.json({ ...found, text: found.removed ? null : await getDocumentText(found) });
  },
  versionRuns: async (c) => {
    const collection = await collectionFor(c, ROUTES.versionRuns, assertMayList);
    const { docId, version } = versionIn(c);
    const { limit } = parseOrThrow(schemas.versionRuns, c.req.query(), 'query');
    await getDocumentVersion(collection, docId, version); // 404 for a version that never existed
    const runs: { runId: string; snapshot: string }[] = [];
    let truncated = false;
    for (const snapshot of await snapshotsWith(collection, docId, version)) {
      const found = await runsBySnapshot(snapshotKey(snapshot), limit - runs.length);
      runs.push(...found.runIds.map((runId) => ({ runId, snapshot: snapshot.hash })));
      truncated ||= found.truncated;
      if (runs.length >= limit) break;
    }
    return c.json({ collection, docId, version, runs, truncated });
  },
  listLabels: async (c) => c.json({ labels: await listLabels(await collectionFor(c, ROUTES.listLabels, assertMayList)) }),
  createLabel: async (c) => {
    const collection = await collectionFor(c, ROUTES.createLabel, assertMayWrite);
    const { label } = parseOrThrow(schemas.createLabel, await jsonBody(c), 'body');
    const caller = callerIn(c);
    const versions = Object.fromEntries((await listDocuments(collection)).map((d) => [d.docId, d.version]));
    const made = { collection, label, versions, createdAt: new Date().toISOString(), createdBy: caller.id };
    if (!(await putLabel(made))) throw new ConflictError(`The label "${label}" of ${collection} exists already; labels never move: choose a new name`);
    await recordAudit({ subject: `knowledge#${collection}`, type: 'knowledge.labelled', actor: caller.id, details: { label, versions } });
    return c.json(made, 201);
  },
  removeDocument: async (c) => {
    const collection = await collectionFor(c, ROUTES.removeDocument, assertMayWrite);
    const docId = parseInput(docIdSchema, c.req.param('docId') ?? '', 'docId');
    const { reason, source } = parseOrThrow(schemas.removeDocument, await jsonBody(c), 'body');
    const removed = await removeDocument(collection, docId, callerIn(c).id, source);
    if (!removed.unchanged) {
      await recordAudit({ subject: `knowledge#${collection}`, type: 'knowledge.document_removed', actor: removed.author, details: { docId, version: removed.version, reason, ...(source ? { source } : {}) } });
    }
    return c.json(removed, removed.unchanged ? 200 : 201);
  },
  restoreDocument: async (c) => {
    const collection = await collectionFor(c, ROUTES.restoreDocument, assertMayWrite);
    const docId = parseInput(docIdSchema, c.req.param('docId') ?? '', 'docId');
    const { version, reason } = parseOrThrow(schemas.restoreDocument, await jsonBody(c), 'body');
    const old = await getDocumentVersion(collection, docId, version);
    if (old.removed) throw new ValidationError(`version: v${version} of ${docId} is its removal; restore a version before it`, 'body.version');
    // The old content as a new version: history only grows, and the restore has its own author.
    const restored = await putDocument({ collection, docId, fileName: `${docId}.md`, content: await getDocumentText(old), author: callerIn(c).id });
    if (!restored.unchanged) await auditVersion(restored, { restoredFrom: version, ...(reason ? { reason } : {}) });
    return c.json({ ...restored, restoredFrom: version }, restored.unchanged ? 200 : 201);
  },
};
