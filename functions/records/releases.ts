/**
 * Releases, as runs met them (the releases table, keyed by releaseId): the manifest that names
 * everything the release was built from, and when it first served a run. Written once per release
 * (a conditional put); nothing updates or deletes one, so any two can be compared later.
 */
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Release } from '../../state-machines/release.js';
import { documentClient } from '../shared/aws-clients.js';
import { ENV } from '../shared/env-names.js';
import { requireEnv } from '../shared/env.js';
import { putIf } from './dynamo-helpers.js';

export interface ReleaseRecord extends Release {
  readonly workflowId: string;
  readonly firstSeenAt: string;
}

const table = () => requireEnv(ENV.releasesTable);

/** Records a release the first time it is seen; false if it was already. */
export function putRelease(release: Release, at = new Date().toISOString()): Promise<boolean> {
  const item: ReleaseRecord = { ...release, workflowId: release.manifest.workflowId, firstSeenAt: at };
  return putIf({ TableName: table(), Item: item, ConditionExpression: 'attribute_not_exists(releaseId)' });
}

export async function getRelease(releaseId: string): Promise<ReleaseRecord | undefined> {
  const out = await documentClient().send(new GetCommand({ TableName: table(), Key: { releaseId } }));
  return out.Item as ReleaseRecord | undefined;
}

/** Every recorded release (one per deploy that changed a workflow's behaviour: a small table), newest first. */
export async function listReleases(): Promise<ReleaseRecord[]> {
  const items: ReleaseRecord[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient().send(new ScanCommand({ TableName: table(), ExclusiveStartKey: start }));
    items.push(...((out.Items ?? []) as ReleaseRecord[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return items.sort((a, b) => b.firstSeenAt.localeCompare(a.firstSeenAt));
}
