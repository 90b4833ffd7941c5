/**
 * `npm run bundles`: synthesizes the CDK app with bundling on, exactly as `cdk synth`/`cdk deploy`
 * do (infra/app-factory.ts; the esbuild options are HandrailFunction's), then for every function
 * prints one JSON line: the asset's size and its module init time, the median of BUNDLES_RUNS
 * (default 5) imports each in a fresh Node process. A last line sums up.
 * Exits 1 if any asset is over MAX_BUNDLE_BYTES (1 MB), any init's median is over MAX_INIT_MS
 * (300 ms), or any bundle fails to load or export a handler.
 *
 * BUNDLES_NODE: the Node binary to time with (default: this one). Lambda runs Node 22; the npm
 * package `node@22` fetches its binary in an install script, so it is not a dependency here.
 * BUNDLES_OUTDIR: keep the synthesized app there (default: a temporary directory, removed).
 * HANDRAIL_STAGES_FILE: the stages to synthesize `dev` from (default: tests/fixtures/stages/stages.yaml).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../infra/app-factory.js';
import { bundledFunctions, dirBytes, MAX_BUNDLE_BYTES, MAX_INIT_MS, maxBundleBytes, measureInit, median, type SynthTemplate } from './bundles-measure.js';

const runs = Math.max(1, Number(process.env.BUNDLES_RUNS ?? 5));
const nodeBinary = process.env.BUNDLES_NODE ?? process.execPath;
const nodeVersion = spawnSync(nodeBinary, ['--version'], { encoding: 'utf8' }).stdout.trim();
const outdir = process.env.BUNDLES_OUTDIR ? resolve(process.env.BUNDLES_OUTDIR) : mkdtempSync(join(tmpdir(), 'handrail-bundles-'));

const started = performance.now();
// What is bundled does not depend on the stage (its settings only fill environment variables), so
// without HANDRAIL_STAGES_FILE the tests' stages (the README's complete example) stand in for a
// stages.yaml that declares none yet.
const stagesFile = process.env.HANDRAIL_STAGES_FILE || fileURLToPath(new URL('../tests/fixtures/stages/stages.yaml', import.meta.url));
const { app, stack } = buildApp({ stage: 'dev', bundling: true, outdir, stagesFile });
const template = app.synth().getStackByName(stack.stackName).template as SynthTemplate;
const synthMs = Math.round(performance.now() - started);

const over: string[] = [];
let totalBytes = 0;
for (const fn of bundledFunctions(template, outdir)) {
  const { bytes, files } = dirBytes(fn.assetDir);
  totalBytes += bytes;
  let line: Record<string, unknown>;
  try {
    const samples = Array.from({ length: runs }, () => measureInit(fn, nodeBinary));
    const initMs = Math.round(median(samples.map((s) => s.ms)));
    const handler = samples[0]!.handler === 'function';
    const problems = [
      ...(bytes > maxBundleBytes(fn.kind) ? [`${bytes} bytes > ${maxBundleBytes(fn.kind)}`] : []),
      ...(initMs > MAX_INIT_MS ? [`init ${initMs} ms > ${MAX_INIT_MS}`] : []),
      ...(handler ? [] : [`handler is ${samples[0]!.handler}`]),
    ];
    if (problems.length) over.push(`${fn.kind}: ${problems.join(', ')}`);
    line = { function: fn.kind, bytes, files, initMs, initMsRuns: samples.map((s) => Math.round(s.ms)), handler, ok: problems.length === 0 };
  } catch (err) {
    over.push(`${fn.kind}: ${(err as Error).message}`);
    line = { function: fn.kind, bytes, files, error: (err as Error).message, ok: false };
  }
  console.log(JSON.stringify(line));
}

console.log(
  JSON.stringify({ summary: true, node: nodeVersion, runs, maxBytes: MAX_BUNDLE_BYTES, maxInitMs: MAX_INIT_MS, totalBytes, synthMs, ok: over.length === 0, over, ...(process.env.BUNDLES_OUTDIR ? { outdir } : {}) }),
);
if (!process.env.BUNDLES_OUTDIR) rmSync(outdir, { recursive: true, force: true });
process.exit(over.length ? 1 : 0);
