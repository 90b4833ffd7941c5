/**
 * A replay: the recorded inputs of a workflow's ended runs, re-run through one of its releases (a
 * published state machine version: the candidate of a canary, or one rolled back) to compare
 * before it takes more traffic. Each replay run is a run of its own, marked `replay`, started on
 * the release's version (not the live alias): its approval steps approve the draft themselves
 * without asking or notifying anyone, its deliver steps deliver nothing, and neither it nor its
 * decisions count towards any release's rollback rule.
 */
import { randomBytes } from 'node:crypto';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { putReplay, type ReplayRecord } from '../records/replays.js';
import { createRun, endedRunsBetween, updateRun } from '../records/runs.js';
import { recordAudit } from '../records/audit.js';
import { releaseVersions } from '../releases/live-alias.js';
import { sfnClient } from '../shared/aws-clients.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import type { ExecutionState } from '../shared/step-contract.js';
import type { RegisteredWorkflow } from '../shared/workflow-registry.js';

export interface ReplayRequest {
  readonly release: string;
  readonly from: string;
  readonly to?: string;
  readonly limit: number;
  readonly requestedBy: string;
}

export async function startReplay(workflow: RegisteredWorkflow, request: ReplayRequest): Promise<ReplayRecord> {
  const workflowId = workflow.definition.id;
  const versions = await releaseVersions(workflowId);
  const version = versions.find((v) => v.releaseId === request.release);
  if (!version) throw new NotFoundError(`No version of ${workflowId} was built from release ${request.release}; its releases: ${[...new Set(versions.flatMap((v) => (v.releaseId ? [v.releaseId] : [])))].join(', ')}`);
  const to = request.to ?? new Date().toISOString();
  if (request.from > to) throw new ValidationError(`from (${request.from}) is after to (${to}): replay runs that ended between the two`, 'body.from');
  const originals = await endedRunsBetween(workflowId, request.from, to, request.limit);
  if (!originals.length) throw new ValidationError(`${workflowId} has no ended runs between ${request.from} and ${to} to replay`, 'body.from');
  const replayId = `rpl-${randomBytes(6).toString('hex')}`;
  const replay: ReplayRecord = {
    replayId, replayedWorkflow: workflowId, releaseId: request.release, versionArn: version.versionArn, from: request.from, to,
    requestedBy: request.requestedBy, requestedAt: new Date().toISOString(),
    pairs: originals.map((o, i) => ({ of: o.runId, runId: `run-${replayId}-${i}` })),
  };
  await putReplay(replay);
  await recordAudit({ subject: `workflow#${workflowId}`, type: 'release.replayed', actor: request.requestedBy, details: { replayId, releaseId: request.release, runs: originals.length, from: request.from, to } });
  // One at a time: a replay is a background comparison, not a burst on the stage's model quotas.
  for (const [i, original] of originals.entries()) {
    const { runId } = replay.pairs[i]!;
    const now = new Date().toISOString();
    const ref = { replayId, of: original.runId };
    // A copy of the original's input goes when the original does, and its records by the same retention.
    const expiry = { ...(original.retention ? { retention: original.retention } : {}), ...(original.expiresAt ? { expiresAt: original.expiresAt } : {}) };
    await createRun({ runId, workflowId, workflowVersion: original.workflowVersion, status: 'running', input: original.input, createdAt: now, updatedAt: now, replay: ref, ...expiry });
    // The whole input: the release's route conditions may read fields the deployed one does not.
    const state: ExecutionState = { run: { runId, workflowId, version: original.workflowVersion, replay: ref }, input: original.input, steps: {} };
    try {
      await sfnClient().send(new StartExecutionCommand({ stateMachineArn: version.versionArn, name: runId, input: JSON.stringify(state) }));
    } catch (err) {
      await updateRun(runId, { status: 'start_failed', error: { error: (err as Error).name, cause: (err as Error).message } });
    }
  }
  return replay;
}
