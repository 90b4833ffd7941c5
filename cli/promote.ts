/**
 * `npx handrail promote <workflow>|--all --from <stage> --to <stage> --reason T`: takes the release
 * the stage `--to` deploys from the stage before it, one way (stages.yaml `pipeline.order`), on the
 * workflow's own rule (`release.promotion`): the same build must have ended runs in `--from` (and,
 * when the rule asks, a complete replay within tolerance). The evidence is read from `--from`'s
 * records (a local stage's data folder, `--from-data`, default .handrail-<stage>); the promotion is
 * made, and audited with who and why, by `--to`'s API (HANDRAIL_URL, HANDRAIL_TOKEN).
 *
 * `--check` (the pipeline's step before a stage, infra/stacks/pipeline-stack.ts) checks the builds
 * of this source tree against the stage before's tables, named by the environment, and promotes
 * nothing: exit 1 when any workflow's build did not run there.
 */
import { api, CliError } from './api-client.js';
import type { Release } from '../state-machines/release.js';
import type { PromotionEvidence, PromotionRule } from '../state-machines/promotion.js';

export interface PromoteOptions {
  readonly from?: string;
  readonly to?: string;
  readonly reason?: string;
  readonly all?: boolean;
  readonly check?: boolean;
  readonly fromData?: string;
}

interface Candidate {
  readonly workflowId: string;
  readonly release: Release;
}

/** Points the records modules at the local stage's tables: its running DynamoDB, or its data folder opened here. */
async function openLocalStage(stage: string, dataDir: string): Promise<() => Promise<void>> {
  const [{ readLocalStage, EVIDENCE_TABLES }, { isAlive }] = await Promise.all([import('../local/stage-file.js'), import('../local/process-alive.js')]);
  const found = readLocalStage(dataDir);
  if (!found) throw new CliError(`no local stage in ${dataDir}: start it once with HANDRAIL_PIPELINE_STAGE=${stage} npm start, or name its folder with --from-data`);
  if (found.stage !== stage) throw new CliError(`${dataDir} holds stage ${found.stage}, not ${stage}; name ${stage}'s folder with --from-data`);
  let endpoint = found.pid && isAlive(found.pid) ? found.dynamodbEndpoint : undefined;
  let close = async () => {};
  if (!endpoint) {
    const { startEmulators } = await import('../local/emulators.js');
    const emulators = await startEmulators({ dataDir });
    endpoint = emulators.dynamodbEndpoint;
    close = () => emulators.stop();
  }
  Object.assign(process.env, { AWS_ENDPOINT_URL_DYNAMODB: endpoint, AWS_REGION: process.env.AWS_REGION ?? 'us-east-1', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' });
  for (const name of EVIDENCE_TABLES) process.env[name] = found.tables[name];
  return close;
}

/** The releases this source tree builds for the stage (what the pipeline is about to deploy there). */
async function sourceTreeReleases(workflow: string | undefined, stage: string): Promise<Candidate[]> {
  const [{ loadWorkflows }, { loadDirectory }, { loadStageConfig }, { stageReleases }] = await Promise.all([
    import('../state-machines/load-workflow.js'),
    import('../state-machines/directory.js'),
    import('../infra/stage-config.js'),
    import('../infra/stage-releases.js'),
  ]);
  const workflows = loadWorkflows();
  const all = stageReleases(workflows, loadDirectory(), loadStageConfig(stage, workflows)).map((release) => ({ workflowId: release.manifest.workflowId, release }));
  if (!workflow) return all;
  const one = all.filter((c) => c.workflowId === workflow);
  if (!one.length) throw new CliError(`no workflow ${workflow} in this source tree; its workflows: ${all.map((c) => c.workflowId).join(', ')}`, 2);
  return one;
}

/** The releases the target stage deploys now (its API), one per workflow. */
async function deployedReleases(workflow: string | undefined): Promise<Candidate[]> {
  const ids = workflow ? [workflow] : (await api<{ workflows: { id: string }[] }>('GET', '/workflows')).workflows.map((w) => w.id);
  return Promise.all(
    ids.map(async (workflowId) => {
      const { releaseId } = await api<{ releaseId?: string }>('GET', `/workflows/${encodeURIComponent(workflowId)}`);
      if (!releaseId) throw new CliError(`${workflowId} has no release deployed`);
      return { workflowId, release: await api<Release>('GET', `/releases/${releaseId}`) };
    }),
  );
}

export async function promote(workflow: string | undefined, options: PromoteOptions): Promise<void> {
  const { from, to } = options;
  if (!workflow && !options.all) throw new CliError('missing <workflow> (or --all); see `handrail --help`', 2);
  if (workflow && options.all) throw new CliError(`give <workflow> or --all, not both`, 2);
  if (!from || !to) throw new CliError('missing --from <stage> --to <stage>, e.g. --from staging --to prod', 2);
  if (!options.check && !options.reason?.trim()) throw new CliError('missing --reason T: say why (the promotion is audited with who and why)', 2);
  const { loadPipelineConfig, checkPromotionPath } = await import('../infra/pipeline-config.js');
  try {
    checkPromotionPath(loadPipelineConfig(), from, to);
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
  const candidates = options.check ? await sourceTreeReleases(workflow, to) : await deployedReleases(workflow);
  const close = options.check ? async () => {} : await openLocalStage(from, options.fromData ?? (await import('../local/stage-file.js')).localStageDir(from));
  const { promotionEvidence } = await import('../functions/releases/promotion-evidence.js');
  const { buildIdOf } = await import('../state-machines/release.js');
  const { DEFAULT_PROMOTION, promotionRefusal } = await import('../state-machines/promotion.js');
  const verdicts: { candidate: Candidate; evidence: PromotionEvidence; refusal?: string }[] = [];
  try {
    for (const candidate of candidates) {
      const evidence = await promotionEvidence(from, candidate.workflowId, buildIdOf(candidate.release.manifest));
      const rule: PromotionRule = candidate.release.manifest.definition.release?.promotion ?? DEFAULT_PROMOTION;
      verdicts.push({ candidate, evidence, refusal: promotionRefusal({ workflowId: candidate.workflowId, releaseId: candidate.release.releaseId, from, to }, rule, evidence) });
    }
  } finally {
    await close();
  }
  const refused: string[] = [];
  for (const { candidate, evidence, refusal } of verdicts) {
    const { workflowId, release } = candidate;
    const ran = evidence.releases.map((r) => `${r.releaseId} (${r.runs} runs)`).join(', ');
    if (refusal) {
      refused.push(refusal);
      if (verdicts.length > 1) console.error(`✗ ${refusal}`);
      continue;
    }
    if (options.check) {
      console.log(`✓ ${workflowId}: release ${release.releaseId} ran in ${from} as ${ran}${evidence.replay ? `, replay ${evidence.replay.replayId}` : ''}`);
      continue;
    }
    const promoted = await api<{ release: { version: number }; previous: { releaseId?: string; weight: number }[] }>('POST', `/workflows/${encodeURIComponent(workflowId)}/promotions`, {
      release: release.releaseId, from, to, reason: options.reason!.trim(), evidence,
    });
    const before = promoted.previous.map((r) => `${r.releaseId ?? '?'} ${r.weight}%`).join(', ') || 'nothing live';
    console.log(`✓ ${workflowId}: ${to} now runs release ${release.releaseId} (version ${promoted.release.version}; was ${before}), which ran in ${from} as ${ran}`);
  }
  if (refused.length) throw new CliError(refused.length === 1 ? refused[0]! : `${refused.length} workflows were refused (above)`);
}
