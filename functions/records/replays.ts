/**
 * Replays (functions/replays/): which release re-ran which recorded runs, kept in the runs table as
 * one item per replay (`runId` = the replay id, `sk = "replay"`). Its attributes are named so that
 * no index of the runs table picks it up (no `workflowId`, `createdAt`, `status`).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/aws-clients.js';
import { ENV } from '../shared/env-names.js';
import { requireEnv } from '../shared/env.js';
import { putIf } from './dynamo-helpers.js';

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

export async function getReplay(replayId: string): Promise<ReplayRecord | undefined> {
  const out = await documentClient().send(new GetCommand({ TableName: table(), Key: { runId: replayId, sk: SK } }));
  if (!out.Item) return undefined;
  const { runId, sk: _sk, ...rest } = out.Item;
  return { replayId: runId as string, ...rest } as ReplayRecord;
}
