/**
 * Replays (functions/replays/): which release re-ran which recorded runs, kept in the runs table as
 * one item per replay (`runId` = the replay id, `sk = "replay"`). Its attributes are named so that
 * no index of the runs table picks it up (no `workflowId`, `createdAt`, `status`).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/aws-clients.js';
import { ENV } from '../shared/env-names.js';
import { requireEnv } from '../shared/env.js';
import { putIf, scanAll } from './dynamo-helpers.js';

export interface ReplayRecord {
  readonly replayId: string;
  readonly replayedWorkflow: string;
  /** The release the recorded runs were re-run through, and its state machine version. */
  readonly releaseId: string;
  readonly versionArn: string;
  readonly from: string;
  readonly to: string;
  readonly requestedBy: string;
  readonly requestedAt: string;
  /** Each recorded run and the run that re-ran its input. */
  readonly pairs: { readonly of: string; readonly runId: string }[];
}

const table = () => requireEnv(ENV.runsTable);
const SK = 'replay';

export function putReplay(replay: ReplayRecord): Promise<boolean> {
  const { replayId, ...rest } = replay;
  return putIf({ TableName: table(), Item: { runId: replayId, sk: SK, ...rest }, ConditionExpression: 'attribute_not_exists(runId)' });
}

const recordOf = ({ runId, sk: _sk, ...rest }: Record<string, unknown>): ReplayRecord => ({ replayId: runId as string, ...rest }) as ReplayRecord;

/** Every replay through one of these releases, newest first (a scan: replays are few, and read when a release is promoted). */
export async function replaysOfReleases(releaseIds: string[]): Promise<ReplayRecord[]> {
  if (releaseIds.length === 0) return [];
  const values = Object.fromEntries(releaseIds.map((id, i) => [`:r${i}`, id]));
  const items = await scanAll<Record<string, unknown>>({
    TableName: table(),
    FilterExpression: `sk = :replay AND releaseId IN (${Object.keys(values).join(', ')})`,
    ExpressionAttributeValues: { ':replay': SK, ...values },
  });
  return items.map(recordOf).sort((a, b) => b.requestedAt.localeCompare(a.requestedAt));
}

export async function getReplay(replayId: string): Promise<ReplayRecord | undefined> {
  const out = await documentClient().send(new GetCommand({ TableName: table(), Key: { runId: replayId, sk: SK } }));
  return out.Item ? recordOf(out.Item) : undefined;
}
