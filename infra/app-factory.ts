/**
 * Builds the CDK app for a stage. Used by `cdk synth` (bin/app.ts), by the tests, and by the local
 * runtime, which synthesizes the same app and runs what is in its template.
 */
import { App } from 'aws-cdk-lib';
import { checkCollectionGrants, defaultCollectionsFile, loadCollections } from '../state-machines/collections.js';
import { loadDirectory } from '../state-machines/directory.js';
import { loadWorkflows } from '../state-machines/load-workflow.js';
import { loadStageConfig } from './stage-config.js';
import { HandrailStack } from './stacks/handrail-stack.js';

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

export function buildApp(options: BuildAppOptions = {}): { app: App; stack: HandrailStack; stage: string } {
  const app = new App({
    outdir: options.outdir,
    context: options.bundling === false ? { 'aws:cdk:bundling-stacks': [] } : {},
  });
  const stage = String(options.stage ?? app.node.tryGetContext('stage') ?? 'dev');
  if (!/^[a-z][a-z0-9]{0,15}$/.test(stage)) {
    throw new Error(`Invalid stage "${stage}"; use lowercase letters and digits (max 16), e.g. -c stage=${STAGES.join('|')}`);
  }
  const workflows = loadWorkflows(options.workflowsDir);
  const directory = loadDirectory(options.directoryFile);
  const collectionsFile = options.collectionsFile ?? defaultCollectionsFile;
  const collections = loadCollections(collectionsFile);
  checkCollectionGrants(collections, workflows, directory, collectionsFile);
  const stack = new HandrailStack(app, stackName(stage), {
    stage,
    config: loadStageConfig(stage, workflows, options.stagesFile),
    workflows,
    directory,
    collections,
    description: `Handrail governed AI workflows (${stage})`,
  });
  return { app, stack, stage };
}
