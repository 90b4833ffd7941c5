/**
 * Synthesizes the CDK app for the local stage and returns its CloudFormation template. Loading the
 * CDK library dominates start-up, so the template is cached under node_modules/.cache, keyed by a
 * hash of everything that shapes it (infra, workflow definitions and compiler, env names, lockfile,
 * the stage configuration):
 * change any of those and the next start synthesizes again.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { projectRoot } from '../infra/project-root.js';
import { stagesFile } from '../infra/stage-config.js';
import type { CfnTemplate } from './template-reader.js';

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (statSync(path).isFile()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => filesUnder(join(path, name)));
}

/** What the app is built from, besides the project's own files: where the tests point it elsewhere. */
export interface SynthInputs {
  readonly workflowsDir?: string;
  readonly directoryFile?: string;
  readonly collectionsFile?: string;
}

function inputsHash(stage: string, { workflowsDir, directoryFile, collectionsFile }: SynthInputs): string {
  const hash = createHash('sha256').update(`${stage}\n${workflowsDir ?? ''}\n${directoryFile ?? ''}\n${collectionsFile ?? ''}\n`);
  const inputs = ['infra', 'state-machines', 'functions/shared/env-names.ts', 'package-lock.json'].map((p) => join(projectRoot, p));
  inputs.push(stagesFile()); // the stage configuration (stages.yaml)
  if (workflowsDir) inputs.push(resolve(workflowsDir));
  if (directoryFile) inputs.push(resolve(directoryFile));
  if (collectionsFile) inputs.push(resolve(collectionsFile));
  for (const file of inputs.flatMap(filesUnder)) hash.update(file).update(readFileSync(file));
  return hash.digest('hex').slice(0, 24);
}

export async function synthTemplate(stage: string, inputs: SynthInputs = {}): Promise<CfnTemplate> {
  const cacheDir = join(projectRoot, 'node_modules', '.cache', 'handrail-synth');
  const cacheFile = join(cacheDir, `${stage}-${inputsHash(stage, inputs)}.json`);
  if (existsSync(cacheFile)) return JSON.parse(readFileSync(cacheFile, 'utf8')) as CfnTemplate;

  const { buildApp } = await import('../infra/app-factory.js');
  mkdirSync(cacheDir, { recursive: true });
  const outdir = mkdtempSync(join(cacheDir, 'cdk.out-'));
  try {
    const { app, stack } = buildApp({ stage, bundling: false, ...inputs, outdir });
    const template = app.synth().getStackByName(stack.stackName).template as CfnTemplate;
    // Written aside, then renamed: another process (a parallel test file, a second `npm start`) reads whole files only.
    const partial = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(partial, JSON.stringify(template));
    renameSync(partial, cacheFile);
    return template;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
