/**
 * What a synthesized Lambda asset weighs and how long its module takes to load: shared by
 * `npm run bundles` (bench/bundles.ts) and the bundle-size test (tests/infra/bundles.test.ts).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ENTRY_METADATA, KIND_METADATA } from '../infra/constructs/handrail-function.js';

/** 1 MB as the rest of Handrail counts it (see formatBytes in functions/shared/errors.ts). */
export const MAX_BUNDLE_BYTES = 1024 * 1024;
/**
 * Functions allowed more, each with why. The scheduled knowledge sync reads PDFs with PDF.js
 * (unpdf, ~1.7 MB): it runs on a schedule, so its cold start delays no person.
 */
const BUNDLE_BYTES_OF: Readonly<Record<string, number>> = { 'knowledge-sync': 3 * 1024 * 1024 };
/** The size limit of a function's asset. */
export const maxBundleBytes = (kind: string): number => BUNDLE_BYTES_OF[kind] ?? MAX_BUNDLE_BYTES;
/** Module init, measured in a fresh Node process. */
export const MAX_INIT_MS = 300;

type Resource = { Type: string; Properties?: Record<string, any>; Metadata?: Record<string, unknown> };
export type SynthTemplate = { Resources: Record<string, Resource> };

export interface BundledFunction {
  /** The function's `handrail:kind` (a step kind, `api`, a sweep). */
  readonly kind: string;
  readonly entry: string;
  readonly logicalId: string;
  /** The asset directory Lambda runs (`index.mjs` and the files copied beside it). */
  readonly assetDir: string;
  /** The function's environment, CloudFormation references replaced by placeholder strings. */
  readonly environment: Record<string, string>;
}

/** Every Handrail function in a template synthesized (with bundling) into `outdir`. */
export function bundledFunctions(template: SynthTemplate, outdir: string): BundledFunction[] {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Metadata?.[KIND_METADATA])
    .map(([logicalId, r]) => {
      const key = String(r.Properties?.Code?.S3Key ?? '');
      const hash = /^([0-9a-f]{64})\.zip$/.exec(key)?.[1];
      if (!hash) throw new Error(`${logicalId}: no bundled asset (Code.S3Key ${JSON.stringify(key)}); synthesize with bundling on`);
      const variables: Record<string, unknown> = r.Properties?.Environment?.Variables ?? {};
      const environment = Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, typeof v === 'string' ? v : placeholder(k, v)]));
      return { kind: String(r.Metadata![KIND_METADATA]), entry: String(r.Metadata![ENTRY_METADATA]), logicalId, assetDir: join(outdir, `asset.${hash}`), environment };
    })
    .sort((a, b) => a.kind.localeCompare(b.kind));
}

/** A stand-in for a value CloudFormation resolves at deploy time (a table name, a secret ARN). */
function placeholder(name: string, value: unknown): string {
  const ref = (value as { Ref?: string })?.Ref;
  return name.endsWith('_ARN') ? `arn:aws:secretsmanager:us-east-1:000000000000:secret:${ref ?? name}` : `placeholder-${ref ?? name}`.toLowerCase();
}

/** Bytes of every file under `dir`: what is zipped and shipped. */
export function dirBytes(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    bytes += statSync(join(entry.parentPath, entry.name)).size;
    files += 1;
  }
  return { bytes, files };
}

export interface InitSample {
  readonly ms: number;
  /** `typeof` the module's `handler` export: anything but "function" is a broken bundle. */
  readonly handler: string;
}

/**
 * Imports the asset's `index.mjs` in a fresh Node process with Lambda's working directory and
 * environment (no inherited NODE_OPTIONS, no project node_modules on the resolution path when the
 * asset is outside the project), and times the import: read, parse, evaluate.
 */
export function measureInit(fn: BundledFunction, nodeBinary = process.execPath): InitSample {
  const url = pathToFileURL(join(fn.assetDir, 'index.mjs')).href;
  const script = `const t = performance.now(); const m = await import(${JSON.stringify(url)}); const ms = performance.now() - t; process.stdout.write(JSON.stringify({ ms, handler: typeof m.handler }));`;
  const result = spawnSync(nodeBinary, ['--input-type=module', '-e', script], {
    cwd: fn.assetDir,
    encoding: 'utf8',
    timeout: 30_000,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      TZ: ':UTC',
      LANG: 'en_US.UTF-8',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDPLACEHOLDER',
      AWS_SECRET_ACCESS_KEY: 'placeholder',
      AWS_SESSION_TOKEN: 'placeholder',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_FUNCTION_NAME: `handrail-${fn.kind}`,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      AWS_LAMBDA_LOG_FORMAT: 'JSON',
      LAMBDA_TASK_ROOT: fn.assetDir,
      _HANDLER: 'index.handler',
      ...fn.environment,
    },
  });
  if (result.status !== 0) {
    const why = (result.stderr || result.error?.message || `exit ${result.status}`).trim().split('\n').slice(0, 6).join(' | ');
    throw new Error(`${fn.kind}: importing ${url} failed: ${why}`);
  }
  return JSON.parse(result.stdout) as InitSample;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
