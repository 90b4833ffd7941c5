/**
 * What ships: the retrieve, generate and classify bundles, built by HandrailFunction itself (CDK's local
 * esbuild, the construct's options), stay under the size limit, carry the AWS SDK the tests ran
 * with, ship no source map, and keep the class names that error names (and Step Functions' Catch)
 * depend on. Init time is measured by `npm run bundles`, not here.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import * as esbuild from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundledFunctions, dirBytes, MAX_BUNDLE_BYTES, type BundledFunction, type SynthTemplate } from '../../bench/bundles-measure.js';
import { HandrailFunction, SOURCE_MAPS_CONTEXT } from '../../infra/constructs/handrail-function.js';
import { projectRoot } from '../../infra/project-root.js';

/**
 * A bundle over MAX_BUNDLE_BYTES, with the ceiling it may not pass meanwhile. classify: 1,049,753
 * bytes, 1.2 KB over; the YAML parser of the price table (117 KB, functions/usage/prices.ts) is the
 * next cut (ship the table as JSON), then the OpenAI client (156 KB).
 */
const KNOWN_OVER: Record<string, number> = { classify: 1_100_000 };

function synthesize(kinds: readonly string[], context: Record<string, string> = {}): { outdir: string; functions: BundledFunction[] } {
  const outdir = mkdtempSync(join(tmpdir(), 'handrail-bundles-test-'));
  const app = new App({ outdir, context });
  const stack = new Stack(app, 'Bundles');
  for (const kind of kinds) {
    const entry = kind === 'errors' ? 'functions/shared/errors.ts' : `functions/steps/${kind}/handler.ts`;
    new HandrailFunction(stack, `${kind}Function`, { entry, kind, environment: {} });
  }
  const template = app.synth().getStackByName(stack.stackName).template as SynthTemplate;
  return { outdir, functions: bundledFunctions(template, outdir) };
}

describe('Lambda bundles (built by HandrailFunction)', () => {
  let functions: BundledFunction[];
  beforeAll(() => {
    ({ functions } = synthesize(['retrieve', 'generate', 'classify', 'errors']));
  }, 60_000);
  const bundle = (kind: string) => functions.find((f) => f.kind === kind)!;

  it.each(['retrieve', 'generate', 'classify'])('%s stays within the size limit', (kind) => {
    const { bytes } = dirBytes(bundle(kind).assetDir);
    const ceiling = KNOWN_OVER[kind];
    if (ceiling === undefined) {
      expect(bytes).toBeLessThanOrEqual(MAX_BUNDLE_BYTES);
    } else {
      expect(bytes).toBeLessThanOrEqual(ceiling);
      // Fixed at last: hold it to the limit from now on.
      expect(bytes, `${kind} fits ${MAX_BUNDLE_BYTES} bytes now: remove it from KNOWN_OVER`).toBeGreaterThan(MAX_BUNDLE_BYTES);
    }
  });

  it.each(['retrieve', 'generate'])('%s is one minified ESM file with the AWS SDK inside and no source map', (kind) => {
    const files = readdirSync(bundle(kind).assetDir);
    expect(files).toContain('index.mjs');
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    const code = readFileSync(join(bundle(kind).assetDir, 'index.mjs'), 'utf8');
    expect(code).not.toMatch(/(?:from|import\()\s*["']@aws-sdk\//);
    expect(code).not.toMatch(/sourceMappingURL/);
    // Minified: a few hundred long lines, not tens of thousands.
    expect(code.split('\n').length).toBeLessThan(1_000);
  });

  it('keeps class names, so errors keep the names Step Functions Catch and Retry match on', async () => {
    const errors = (await import(pathToFileURL(join(bundle('errors').assetDir, 'index.mjs')).href)) as Record<string, unknown>;
    const classes = Object.entries(errors).filter(([, v]) => typeof v === 'function' && (v as { prototype?: unknown }).prototype instanceof Error);
    expect(classes.map(([name]) => name)).toEqual(expect.arrayContaining(['ModelChainExhausted', 'DeliveryFailed', 'ValidationError']));
    for (const [name, ErrorClass] of classes) {
      const error = new (ErrorClass as new (...args: unknown[]) => Error)('probe');
      expect(error.name).toBe(name);
    }
  });

  it('sets no NODE_OPTIONS unless source maps are asked for', () => {
    expect(bundle('retrieve').environment).not.toHaveProperty('NODE_OPTIONS');
    const withMaps = synthesize(['errors'], { [SOURCE_MAPS_CONTEXT]: 'true' }).functions[0]!;
    expect(withMaps.environment).toMatchObject({ NODE_OPTIONS: '--enable-source-maps' });
    expect(readdirSync(withMaps.assetDir).sort()).toEqual(['index.mjs', 'index.mjs.map']);
  }, 30_000);
});

describe('what retrieval and the classifiers pull in', () => {
  it('leaves out wink-nlp and its English model', async () => {
    const result = await esbuild.build({
      entryPoints: ['functions/knowledge/bm25-index.ts', 'functions/classifiers/text-terms.ts'].map((f) => join(projectRoot, f)),
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      outdir: 'out',
      metafile: true,
      logLevel: 'silent',
    });
    const packages = new Set(Object.keys(result.metafile.inputs).map((p) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(p)?.[1]).filter(Boolean));
    expect([...packages]).toEqual(expect.arrayContaining(['wink-bm25-text-search', 'wink-nlp-utils', 'wink-porter2-stemmer']));
    expect([...packages]).not.toContain('wink-nlp');
    expect([...packages]).not.toContain('wink-eng-lite-web-model');
  });
});
