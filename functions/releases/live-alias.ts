/**
 * The live alias of a workflow, as Step Functions has it: which releases take its new runs and at
 * what weight (each version's description is the release it was built from), and the rollback
 * that moves every new run to an earlier release at once, without a deploy. Runs already started
 * keep the version that started them.
 */
import {
  CreateStateMachineAliasCommand,
  DescribeStateMachineAliasCommand,
  DescribeStateMachineCommand,
  ListStateMachineVersionsCommand,
  UpdateStateMachineAliasCommand,
} from '@aws-sdk/client-sfn';
import { recordAudit } from '../records/audit.js';
import { sfnClient } from '../shared/aws-clients.js';
import { ENV } from '../shared/env-names.js';
import { requireEnv } from '../shared/env.js';
import { ConflictError, NotFoundError } from '../shared/errors.js';
import { LIVE_ALIAS, liveAliasArn, liveAliasDescription } from '../shared/live-alias.js';

export interface ReleaseVersion {
  readonly versionArn: string;
  readonly version: number;
  /** The release the version was built from (its description); absent on versions made by hand. */
  readonly releaseId?: string;
  readonly createdAt?: string;
}

export interface LiveRoute extends ReleaseVersion {
  readonly weight: number;
}

const versionNumber = (versionArn: string) => Number(versionArn.split(':').pop());
const machineArn = (workflowId: string) => `${requireEnv(ENV.stateMachinePrefix)}${workflowId}`;

/** Every published version of the workflow, newest first, with its release. */
export async function releaseVersions(workflowId: string): Promise<ReleaseVersion[]> {
  const versions: ReleaseVersion[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfnClient().send(new ListStateMachineVersionsCommand({ stateMachineArn: machineArn(workflowId), nextToken }));
    // Each version's release is its description: the versions of a page are read together.
    const described = await Promise.all(
      (page.stateMachineVersions ?? []).map(async ({ stateMachineVersionArn, creationDate }): Promise<ReleaseVersion> => {
        const { description } = await sfnClient().send(new DescribeStateMachineCommand({ stateMachineArn: stateMachineVersionArn }));
        return {
          versionArn: stateMachineVersionArn!, version: versionNumber(stateMachineVersionArn!),
          ...(description ? { releaseId: description } : {}), ...(creationDate ? { createdAt: creationDate.toISOString() } : {}),
        };
      }),
    );
    versions.push(...described);
    nextToken = page.nextToken;
  } while (nextToken);
  return versions.sort((a, b) => b.version - a.version);
}

const isMissing = (err: unknown) => (err as Error).name === 'ResourceNotFound';

/** Which versions (releases) the live alias sends new runs to, heaviest first (none before a stage after the first has a release promoted to it). */
export async function liveRoutes(workflowId: string, versions?: ReleaseVersion[]): Promise<LiveRoute[]> {
  const alias = await sfnClient()
    .send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: liveAliasArn(requireEnv(ENV.stateMachinePrefix), workflowId) }))
    .catch((err: unknown) => {
      if (isMissing(err)) return { routingConfiguration: [] };
      throw err;
    });
  const known = versions ?? (await releaseVersions(workflowId));
  return (alias.routingConfiguration ?? [])
    .map(({ stateMachineVersionArn, weight }) => ({ ...(known.find((v) => v.versionArn === stateMachineVersionArn) ?? { versionArn: stateMachineVersionArn!, version: versionNumber(stateMachineVersionArn!) }), weight: weight ?? 0 }))
    .sort((a, b) => b.weight - a.weight);
}

export interface RollbackResult {
  readonly workflowId: string;
  /** The releases that took new runs before. */
  readonly from: LiveRoute[];
  /** The release that takes every new run now. */
  readonly to: ReleaseVersion;
}

/**
 * Sends every new run of the workflow to `to` (a release id), or, without it, to the release
 * before the one taking most new runs now. Audited as release.rolled_back with who and why.
 */
export async function rollBack(workflowId: string, { to, reason, actor }: { to?: string; reason: string; actor: string }): Promise<RollbackResult> {
  const versions = await releaseVersions(workflowId);
  const from = await liveRoutes(workflowId, versions);
  const current = from[0];
  if (!current) throw new ConflictError(`${workflowId} has no live release to roll back from`);
  let target: ReleaseVersion | undefined;
  if (to) {
    target = versions.find((v) => v.releaseId === to);
    if (!target) throw new NotFoundError(`No version of ${workflowId} was built from release ${to}; its releases: ${[...new Set(versions.flatMap((v) => (v.releaseId ? [v.releaseId] : [])))].join(', ')}`);
  } else {
    target = versions.find((v) => v.version < current.version && v.releaseId !== current.releaseId);
    if (!target) throw new ConflictError(`${workflowId} has no release before ${current.releaseId ?? `version ${current.version}`} to roll back to`);
  }
  if (from.length === 1 && current.versionArn === target.versionArn) throw new ConflictError(`Every new run of ${workflowId} already goes to ${target.releaseId ?? `version ${target.version}`}`);
  await sendAllTo(workflowId, target);
  await recordAudit({
    subject: `workflow#${workflowId}`, type: 'release.rolled_back', actor,
    details: { workflowId, releaseId: current.releaseId, previousReleaseId: target.releaseId, reason, routes: from.map((r) => ({ releaseId: r.releaseId, weight: r.weight })) },
  });
  return { workflowId, from, to: target };
}

/** Sends every new run of the workflow to one version (creating the live alias on it if there is none yet). */
export async function sendAllTo(workflowId: string, version: ReleaseVersion): Promise<void> {
  const routingConfiguration = [{ stateMachineVersionArn: version.versionArn, weight: 100 }];
  try {
    await sfnClient().send(new UpdateStateMachineAliasCommand({ stateMachineAliasArn: liveAliasArn(requireEnv(ENV.stateMachinePrefix), workflowId), routingConfiguration }));
  } catch (err) {
    if (!isMissing(err)) throw err;
    await sfnClient().send(new CreateStateMachineAliasCommand({ name: LIVE_ALIAS, routingConfiguration, description: liveAliasDescription(workflowId) }));
  }
}
