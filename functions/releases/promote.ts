/**
 * A promotion, as the stage promoted to takes it: every new run of the workflow goes to the release
 * this stage deploys, once the evidence from the stage before (gathered there by `npx handrail
 * promote`, functions/releases/promotion-evidence.ts) meets the workflow's own promotion rule.
 * Audited as release.promoted with who, why and the evidence. A local runtime playing a stage after
 * the first (local/deployments.ts) deploys a release only this way; on AWS the pipeline's check and
 * manual approval stand before the stage's deploy (infra/stacks/pipeline-stack.ts).
 */
import { recordAudit } from '../records/audit.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import { buildIdOf } from '../../state-machines/release.js';
import { DEFAULT_PROMOTION, promotionRefusal, type PromotionEvidence } from '../../state-machines/promotion.js';
import { deployedReleases } from './deployed.js';
import { liveRoutes, releaseVersions, sendAllTo, type LiveRoute, type ReleaseVersion } from './live-alias.js';

export interface PromotionRequest {
  readonly release: string;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
  readonly evidence: PromotionEvidence;
  readonly actor: string;
}

export interface PromotionResult {
  readonly workflowId: string;
  readonly from: string;
  readonly to: string;
  /** The release that takes every new run now, and its version. */
  readonly release: ReleaseVersion;
  /** The releases that took new runs before (none on the stage's first promotion). */
  readonly previous: LiveRoute[];
}

export async function promote(workflowId: string, { release, from, to, reason, evidence, actor }: PromotionRequest): Promise<PromotionResult> {
  const deployed = deployedReleases().get(workflowId);
  if (!deployed) throw new NotFoundError(`No release of ${workflowId} is deployed to ${to}`);
  if (deployed.releaseId !== release) throw new ConflictError(`${to} deploys release ${deployed.releaseId} of ${workflowId}, not ${release}: gather the evidence again (npx handrail promote ${workflowId} --from ${from} --to ${to})`);
  if (evidence.stage !== from) throw new ValidationError(`evidence.stage: the evidence comes from ${evidence.stage}, but the promotion is from ${from}`, 'evidence.stage');
  const refusal = promotionRefusal({ workflowId, releaseId: release, from, to }, deployed.manifest.definition.release?.promotion ?? DEFAULT_PROMOTION, evidence);
  if (refusal) throw new ConflictError(refusal);
  const versions = await releaseVersions(workflowId);
  const target = versions.find((v) => v.releaseId === release);
  if (!target) throw new ConflictError(`No version of ${workflowId} was published from release ${release} in ${to}: deploy it first`);
  const previous = await liveRoutes(workflowId, versions);
  if (previous.length === 1 && previous[0]!.versionArn === target.versionArn) throw new ConflictError(`Every new run of ${workflowId} in ${to} already goes to ${release}`);
  await sendAllTo(workflowId, target);
  await recordAudit({
    subject: `workflow#${workflowId}`, type: 'release.promoted', actor,
    details: { workflowId, releaseId: release, buildId: buildIdOf(deployed.manifest), from, to, reason, evidence, previous: previous.map((r) => ({ releaseId: r.releaseId, weight: r.weight })) },
  });
  return { workflowId, from, to, release: target, previous };
}
