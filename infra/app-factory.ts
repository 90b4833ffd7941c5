/**
 * Builds the CDK app for a stage. Used by `cdk synth` (bin/app.ts), by the tests, and by the local
 * runtime, which synthesizes the same app and runs what is in its template. `-c stage=pipeline`
 * builds the pipeline that deploys every stage in order instead (stacks/pipeline-stack.ts).
 */
import { App } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { checkCollectionGrants, defaultCollectionsFile, loadCollections } from '../state-machines/collections.js';
import { loadDirectory } from '../state-machines/directory.js';
import { loadWorkflows } from '../state-machines/load-workflow.js';
import { STAGE_NAME } from '../functions/shared/stage-name.js';
import { loadPipelineConfig } from './pipeline-config.js';
import { loadStageConfig } from './stage-config.js';
import { HandrailStack } from './stacks/handrail-stack.js';
import { PIPELINE_STAGE, PipelineStack } from './stacks/pipeline-stack.js';

export const STAGES = ['dev', 'staging', 'prod'] as const;

export interface BuildAppOptions {
  /** @default the `stage` context value (`-c stage=prod`), else `dev` */
  readonly stage?: string;
  /** Bundle the Lambda code with esbuild (cdk synth/deploy); the local runtime skips it. @default true */
  readonly bundling?: boolean;
  readonly workflowsDir?: string;
  /** @default state-machines/reviewers.yaml */
  readonly directoryFile?: string;
  /** @default state-machines/collections.yaml */
  readonly collectionsFile?: string;
  readonly outdir?: string;
  /** The stage configuration file. @default stages.yaml (or HANDRAIL_STAGES_FILE) */
  readonly stagesFile?: string;
}

export function stackName(stage: string): string {
  return `Handrail-${stage}`;
}

function newApp(options: BuildAppOptions): { app: App; stage: string } {
  const app = new App({
    outdir: options.outdir,
    context: options.bundling === false ? { 'aws:cdk:bundling-stacks': [] } : {},
  });
  const stage = String(options.stage ?? app.node.tryGetContext('stage') ?? 'dev');
  if (!STAGE_NAME.test(stage)) {
    throw new Error(`Invalid stage "${stage}"; use lowercase letters and digits (max 16), e.g. -c stage=${STAGES.join('|')}`);
  }
  return { app, stage };
}

/** One stage's Handrail stack (`Handrail-<stage>`), from the workflows, directory, collections and the stage's config. */
function stageStack(scope: Construct, id: string, stage: string, options: BuildAppOptions): HandrailStack {
  const workflows = loadWorkflows(options.workflowsDir);
  const directory = loadDirectory(options.directoryFile);
  const collectionsFile = options.collectionsFile ?? defaultCollectionsFile;
  const collections = loadCollections(collectionsFile);
  checkCollectionGrants(collections, workflows, directory, collectionsFile);
  return new HandrailStack(scope, id, {
    stackName: stackName(stage),
    stage,
    config: loadStageConfig(stage, workflows, options.stagesFile),
    workflows,
    directory,
    collections,
    description: `Handrail governed AI workflows (${stage})`,
  });
}

export function buildApp(options: BuildAppOptions = {}): { app: App; stack: HandrailStack; stage: string } {
  const { app, stage } = newApp(options);
  if (stage === PIPELINE_STAGE) throw new Error(`-c stage=${PIPELINE_STAGE} builds the pipeline, not a stage (buildPipelineApp)`);
  return { app, stack: stageStack(app, stackName(stage), stage, options), stage };
}

function pipelineStack(app: App, options: BuildAppOptions): PipelineStack {
  return new PipelineStack(app, stackName(PIPELINE_STAGE), {
    pipeline: loadPipelineConfig(options.stagesFile),
    stageStack: (scope, stage) => stageStack(scope, 'Handrail', stage, options),
    description: 'Handrail: the pipeline that promotes releases through the stages, one way',
  });
}

/** The pipeline (`Handrail-pipeline`) that deploys the stages of stages.yaml `pipeline.order`, one way. */
export function buildPipelineApp(options: Omit<BuildAppOptions, 'stage'> = {}): { app: App; stack: PipelineStack } {
  const { app } = newApp({ ...options, stage: PIPELINE_STAGE });
  return { app, stack: pipelineStack(app, options) };
}

/** What `cdk synth` builds: the stage `-c stage=` names, or the pipeline for `-c stage=pipeline`. */
export function buildCdkApp(): App {
  const { app, stage } = newApp({});
  if (stage === PIPELINE_STAGE) pipelineStack(app, {});
  else stageStack(app, stackName(stage), stage, {});
  return app;
}
