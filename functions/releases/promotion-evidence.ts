/**
 * What a stage's records hold about a build of a workflow, as the stage after it asks before taking
 * it (state-machines/promotion.ts): the releases it ran that build as, with the runs each ended, and
 * the newest complete replay through one of them. Read from the stage's own tables (the records
 * modules, wherever the environment points them): the pipeline's check reads the stage before from
 * CodeBuild, `npx handrail promote` from that stage's local data.
 */
import { listReleases } from '../records/releases.js';
import { replaysOfReleases } from '../records/replays.js';
import { replayReport } from '../replays/replay-report.js';
import { releaseCounts } from './release-counts.js';
import { buildIdOf } from '../../state-machines/release.js';
import type { PromotionEvidence } from '../../state-machines/promotion.js';
import { ENV } from '../shared/env-names.js';

/** The tables the evidence is read from, by the variable the records modules read: what a stage hands the one after it. */
export const EVIDENCE_TABLES = [ENV.runsTable, ENV.approvalsTable, ENV.releasesTable] as const;

export async function promotionEvidence(stage: string, workflowId: string, buildId: string): Promise<PromotionEvidence> {
  const built = (await listReleases()).filter((r) => r.workflowId === workflowId && buildIdOf(r.manifest) === buildId);
  const releases = await Promise.all(built.map(async ({ releaseId }) => ({ releaseId, runs: (await releaseCounts(releaseId)).runs })));
  for (const replay of await replaysOfReleases(releases.map((r) => r.releaseId))) {
    const { complete, totals } = await replayReport(replay);
    if (complete) return { stage, releases, replay: { replayId: replay.replayId, runs: totals.runs, changedOutcome: totals.changedOutcome, changedPath: totals.changedPath } };
  }
  return { stage, releases };
}
