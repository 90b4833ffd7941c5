/**
 * Knowledge snapshots: the exact document versions a retrieval searched, named by their hash and
 * kept once per collection (the knowledge table, `~snapshot#<hash>`, beside the versions). Each
 * retrieve step record names its snapshot, which a sparse index of the runs table keys (bySnapshot),
 * so "which runs used this version" is two queries, not a scan: the snapshots that hold the version,
 * then the runs of each. A label is a snapshot with a name (`~label#<name>`, create-only): the
 * versions a workflow's retrieval reads when it pins that label.
 */
import { createHash } from 'node:crypto';
import { putIf, queryAll } from '../records/dynamo-helpers.js';
import { NotFoundError } from '../shared/errors.js';
import { ENV } from '../shared/env-names.js';
import { requireEnv } from '../shared/env.js';
import type { DocumentVersion } from './document-store.js';

/** Sort keys of snapshot and label items; '~' sorts after every docId, and no docId starts with it. */
export const SNAPSHOT_PREFIX = '~snapshot#';
export const LABEL_PREFIX = '~label#';

export interface Label {
  readonly collection: string;
  readonly label: string;
  readonly versions: Record<string, number>;
  readonly createdAt: string;
  readonly createdBy: string;
}

export interface Snapshot {
  readonly collection: string;
  readonly hash: string;
  /** docId → the version searched. */
  readonly versions: Record<string, number>;
}

/** What the runs table's bySnapshot index is keyed by: `<collection>#<hash>`. */
export const snapshotKey = (s: Pick<Snapshot, 'collection' | 'hash'>): string => `${s.collection}#${s.hash}`;

export function snapshotOf(collection: string, docs: readonly DocumentVersion[]): Snapshot {
  const versions = Object.fromEntries([...docs].sort((a, b) => (a.docId < b.docId ? -1 : 1)).map((d) => [d.docId, d.version]));
  const hash = createHash('sha256').update(JSON.stringify(versions)).digest('hex').slice(0, 16);
  return { collection, hash, versions };
}

const recorded = new Map<string, Promise<boolean>>();

/** Keeps a snapshot (create-only), once per process. */
export function recordSnapshot(snapshot: Snapshot): Promise<boolean> {
  const key = snapshotKey(snapshot);
  let put = recorded.get(key);
  if (!put) {
    put = putIf({
      TableName: requireEnv(ENV.knowledgeTable),
      Item: { collection: snapshot.collection, docVersion: `${SNAPSHOT_PREFIX}${snapshot.hash}`, versions: snapshot.versions, createdAt: new Date().toISOString() },
      ConditionExpression: 'attribute_not_exists(docVersion)',
    });
    put.catch(() => recorded.delete(key));
    recorded.set(key, put);
  }
  return put;
}

/** The snapshots of a collection that searched `docId` at `version`. */
export async function snapshotsWith(collection: string, docId: string, version: number): Promise<Snapshot[]> {
  const items = await queryAll<{ docVersion: string; versions: Record<string, number> }>({
    TableName: requireEnv(ENV.knowledgeTable),
    KeyConditionExpression: '#c = :c AND begins_with(docVersion, :p)',
    FilterExpression: 'versions.#d = :v',
    ExpressionAttributeNames: { '#c': 'collection', '#d': docId },
    ExpressionAttributeValues: { ':c': collection, ':p': SNAPSHOT_PREFIX, ':v': version },
  });
  return items.map((item) => ({ collection, hash: item.docVersion.slice(SNAPSHOT_PREFIX.length), versions: item.versions }));
}

/** Freezes a collection's versions under a name; false if the label exists (labels never move). */
export function putLabel(label: Label): Promise<boolean> {
  return putIf({
    TableName: requireEnv(ENV.knowledgeTable),
    Item: { ...label, docVersion: `${LABEL_PREFIX}${label.label}` },
    ConditionExpression: 'attribute_not_exists(docVersion)',
  });
}

/** Labels of a collection: all of them, or the one named (its exact key). */
async function queryLabels(collection: string, label?: string): Promise<Label[]> {
  const items = await queryAll<Label>({
    TableName: requireEnv(ENV.knowledgeTable),
    KeyConditionExpression: label ? '#c = :c AND docVersion = :k' : '#c = :c AND begins_with(docVersion, :k)',
    ExpressionAttributeNames: { '#c': 'collection' },
    ExpressionAttributeValues: { ':c': collection, ':k': `${LABEL_PREFIX}${label ?? ''}` },
    ConsistentRead: true,
  });
  return items.map(({ collection: c, label: name, versions, createdAt, createdBy }) => ({ collection: c, label: name, versions, createdAt, createdBy }));
}

/** A collection's labels, by name. */
export function listLabels(collection: string): Promise<Label[]> {
  return queryLabels(collection);
}

/** One label (one key read). @throws NotFoundError saying how to make it */
export async function getLabel(collection: string, label: string): Promise<Label> {
  const [found] = await queryLabels(collection, label);
  if (!found) throw new NotFoundError(`No label "${label}" in the knowledge collection ${collection}; make it with npx handrail kb label ${collection} ${label}`);
  return found;
}
