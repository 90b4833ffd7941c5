/**
 * The releases this stage deploys, one per workflow, read once per process from
 * HANDRAIL_RELEASES_FILE (releases.json: shipped with the API on AWS, written from the synthesized
 * template by the local runtime). Each is recorded in the releases table the first time this
 * process starts a run on it, so the release a run names can always be read back.
 */
import { readFileSync } from 'node:fs';
import { putRelease } from '../records/releases.js';
import { ENV } from '../shared/env-names.js';
import { requireEnv } from '../shared/env.js';
import type { Release } from '../../state-machines/release.js';

let deployed: Map<string, Release> | undefined;
const recorded = new Map<string, Promise<unknown>>();

/** workflowId → its deployed release. */
export function deployedReleases(): Map<string, Release> {
  deployed ??= new Map((JSON.parse(readFileSync(requireEnv(ENV.releasesFile), 'utf8')) as Release[]).map((r) => [r.manifest.workflowId, r]));
  return deployed;
}

/** The workflow's deployed release, recorded (once per process) before a run names it. */
export async function releaseFor(workflowId: string): Promise<Release | undefined> {
  const release = deployedReleases().get(workflowId);
  if (!release) return undefined;
  let put = recorded.get(release.releaseId);
  if (!put) {
    put = putRelease(release).catch((err: unknown) => {
      recorded.delete(release.releaseId);
      throw err;
    });
    recorded.set(release.releaseId, put);
  }
  await put;
  return release;
}

/** For tests that switch releases files. */
export function resetDeployedReleases(): void {
  deployed = undefined;
  recorded.clear();
}
