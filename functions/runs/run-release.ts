/**
 * The release a run ran on. The run record names it once a step recorded it; a run that failed
 * before that is found through its execution: the state machine version it ran, whose description
 * is the release id (infra/constructs/governed-workflow.ts), and the releases table holds the manifest.
 */
import { DescribeExecutionCommand, DescribeStateMachineCommand } from '@aws-sdk/client-sfn';
import { getRelease, type ReleaseRecord } from '../records/releases.js';
import type { RunRecord } from '../records/runs.js';
import { sfnClient } from '../shared/aws-clients.js';

const RELEASE_ID = /^rel-[0-9a-f]{16}$/;

export async function releaseOfRun(run: Pick<RunRecord, 'releaseId'>, executionArn: string | undefined): Promise<ReleaseRecord | undefined> {
  let releaseId = run.releaseId;
  if (!releaseId && executionArn) {
    const execution = await sfnClient().send(new DescribeExecutionCommand({ executionArn }));
    if (execution.stateMachineVersionArn) {
      const version = await sfnClient().send(new DescribeStateMachineCommand({ stateMachineArn: execution.stateMachineVersionArn }));
      if (version.description && RELEASE_ID.test(version.description)) releaseId = version.description;
    }
  }
  return releaseId ? getRelease(releaseId) : undefined;
}
