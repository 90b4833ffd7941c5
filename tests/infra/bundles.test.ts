/**
 * What ships: every function's asset, as the app synthesizes it with bundling (index.mjs and the
 * files copied beside it), stays under the size limit; the bundles, built by HandrailFunction itself
 * (CDK's local esbuild, the construct's options), carry the AWS SDK the tests ran with, ship no
 * source map, and keep the class names that error names (and Step Functions' Catch) depend on;
 * they carry the tracer and take credentials as Lambda gives them.
 * Init time is measured by `npm run bundles`, not here.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import * as esbuild from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundledFunctions, dirBytes, MAX_BUNDLE_BYTES, maxBundleBytes, type BundledFunction, type SynthTemplate } from '../../bench/bundles-measure.js';
import { readPriceTable } from '../../functions/usage/price-table.js';
import { buildApp } from '../../infra/app-factory.js';
import { BUNDLING, HandrailFunction, SOURCE_MAPS_CONTEXT } from '../../infra/constructs/handrail-function.js';
import { projectRoot } from '../../infra/project-root.js';

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
  let shipped: BundledFunction[];
  let functions: BundledFunction[];
  beforeAll(() => {
    const outdir = mkdtempSync(join(tmpdir(), 'handrail-bundles-app-'));
    const { app, stack } = buildApp({ stage: 'dev', bundling: true, outdir });
    shipped = bundledFunctions(app.synth().getStackByName(stack.stackName).template as SynthTemplate, outdir);
    functions = [...shipped, ...synthesize(['errors']).functions];
  }, 180_000); // bundles every function of the stack
  const bundle = (kind: string) => functions.find((f) => f.kind === kind)!;

  it('ships every function within the size limit', () => {
    expect(shipped.map((f) => f.kind)).toEqual(expect.arrayContaining(['api', 'console', 'knowledge', 'retrieve', 'generate', 'classify', 'approval', 'deliver', 'deliver-knowledge', 'finish', 'reminders']));
    const sizes = Object.fromEntries(shipped.map((f) => [f.kind, dirBytes(f.assetDir).bytes]));
    expect(Object.entries(sizes).filter(([kind, bytes]) => bytes > maxBundleBytes(kind))).toEqual([]);
    // Only the functions allowed more are over the 1 MB every other one keeps to.
    expect(Object.keys(sizes).filter((kind) => maxBundleBytes(kind) > MAX_BUNDLE_BYTES).sort()).toEqual(['knowledge-sync']);
  });

  it.each(['retrieve', 'generate', 'classify'])('%s is one minified ESM file with the AWS SDK inside and no source map', (kind) => {
    const files = readdirSync(bundle(kind).assetDir);
    expect(files).toContain('index.mjs');
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    const code = readFileSync(join(bundle(kind).assetDir, 'index.mjs'), 'utf8');
    expect(code).not.toMatch(/(?:from|import\()\s*["']@aws-sdk\//);
    expect(code).not.toMatch(/sourceMappingURL/);
    // Minified: a few hundred long lines, not tens of thousands.
    expect(code.split('\n').length).toBeLessThan(1_000);
  });

  it.each(['api', 'classify', 'finish', 'pre-token-generation'])('%s carries the tracer, which captures its AWS SDK clients', (kind) => {
    expect(readFileSync(join(bundle(kind).assetDir, 'index.mjs'), 'utf8')).toContain('XRaySDKInstrumentation');
  });

  it.each(['api', 'classify', 'finish'])("%s takes credentials as Lambda gives them: the SDK's STS, SSO and profile links stay out", (kind) => {
    const code = readFileSync(join(bundle(kind).assetDir, 'index.mjs'), 'utf8');
    // functions/shared/lambda-credentials.ts, in place of @aws-sdk/credential-provider-node.
    expect(code).toContain('No AWS credentials: neither AWS_ACCESS_KEY_ID');
    expect(code).not.toMatch(/AssumeRoleWithWebIdentity|GetRoleCredentials|fromSSO|fromTokenFile/);
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

/** `node_modules/@aws-sdk/client-s3/dist-es/…` → `@aws-sdk/client-s3`. */
const packagesIn = (paths: Iterable<string>) => new Set([...paths].map((p) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(p)?.[1]).filter((p): p is string => Boolean(p)));

/** The npm packages an esbuild bundle of `entries` pulls in. */
async function packagesOf(entries: readonly string[]): Promise<Set<string>> {
  const result = await esbuild.build({
    entryPoints: entries.map((f) => join(projectRoot, f)),
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    outdir: 'out',
    metafile: true,
    logLevel: 'silent',
  });
  return packagesIn(Object.keys(result.metafile.inputs));
}

/**
 * The npm packages with code left in `entry`'s bundle, tree-shaken as HandrailFunction ships it:
 * a package imported but never called (the S3 client behind functions/shared/aws-clients.ts) is not.
 */
async function shippedPackagesOf(entry: string): Promise<Set<string>> {
  const { target, mainFields, minify, keepNames, esbuildArgs } = BUNDLING;
  // The construct's `--alias:<package>` arguments, as esbuild's alias option.
  const alias = Object.fromEntries(Object.entries(esbuildArgs).filter(([arg]) => arg.startsWith('--alias:')).map(([arg, to]) => [arg.slice('--alias:'.length), String(to)]));
  const result = await esbuild.build({
    entryPoints: [join(projectRoot, entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target,
    mainFields: [...mainFields],
    minify,
    keepNames,
    alias,
    write: false,
    outdir: 'out',
    metafile: true,
    logLevel: 'silent',
  });
  return packagesIn(Object.values(result.metafile.outputs).flatMap((o) => Object.entries(o.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([path]) => path)));
}

describe('what the functions that read files pull in', () => {
  it.each([
    ['generate', 'functions/steps/generate/handler.ts'],
    ['classify', 'functions/steps/classify/handler.ts'],
    ['approval', 'functions/steps/approval/handler.ts'],
    ['reminders', 'functions/scheduled/reminders/handler.ts'],
    ['api', 'functions/api/handler.ts'],
    ['knowledge', 'functions/api/knowledge-handler.ts'],
  ])('%s leaves out the YAML parser: prices, reviewers and workflows ship as JSON', async (_kind, entry) => {
    const packages = await packagesOf([entry]);
    expect([...packages]).toContain('zod');
    expect([...packages]).not.toContain('yaml');
  });

  it('reads a JSON price table without node_modules, and says what to do with a YAML one', async () => {
    // The price table module alone, bundled as Lambda gets it, and run where no yaml package resolves.
    const dir = mkdtempSync(join(tmpdir(), 'handrail-price-table-'));
    const outfile = join(dir, 'price-table.mjs');
    await esbuild.build({ entryPoints: [join(projectRoot, 'functions/usage/price-table.ts')], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'silent' });
    const bundled = (await import(pathToFileURL(outfile).href)) as typeof import('../../functions/usage/price-table.js');
    const yamlFile = join(projectRoot, 'state-machines/prices.yaml');
    const table = readPriceTable(yamlFile);
    writeFileSync(join(dir, 'prices.json'), JSON.stringify(table));
    expect(bundled.readPriceTable(join(dir, 'prices.json'))).toEqual(table);
    expect(() => bundled.readPriceTable(yamlFile)).toThrow(/needs the yaml package, which Lambda bundles leave out; give a \.json file/);
  });
});

describe('what the HTTP API pulls in', () => {
  it("leaves the S3 client out of the API's bundle: only the knowledge routes (their own function) store documents", async () => {
    const s3 = ['@aws-sdk/client-s3', '@aws-sdk/middleware-sdk-s3'];
    expect([...(await shippedPackagesOf('functions/api/handler.ts'))].filter((p) => s3.includes(p))).toEqual([]);
    expect([...(await shippedPackagesOf('functions/api/console-handler.ts'))].filter((p) => s3.includes(p))).toEqual([]);
    expect([...(await shippedPackagesOf('functions/api/knowledge-handler.ts'))]).toEqual(expect.arrayContaining(s3));
  });
});

describe('what the knowledge deliver function pulls in', () => {
  it('ships the S3 client to write knowledge versions, and none of the connectors or the delivery signing the shared deliver function has', async () => {
    const packages = [...(await shippedPackagesOf('functions/steps/deliver/knowledge-handler.ts'))];
    expect(packages).toContain('@aws-sdk/client-s3');
    expect(packages.filter((p) => ['node-zendesk', '@hubspot/api-client', '@slack/web-api', '@aws-sdk/client-secrets-manager'].includes(p))).toEqual([]);
    expect([...(await shippedPackagesOf('functions/steps/deliver/handler.ts'))]).not.toContain('@aws-sdk/client-s3');
  });
});

describe('what retrieval and the classifiers pull in', () => {
  it('leaves out wink-nlp and its English model', async () => {
    const packages = await packagesOf(['functions/knowledge/bm25-index.ts', 'functions/classifiers/text-terms.ts']);
    expect([...packages]).toEqual(expect.arrayContaining(['wink-bm25-text-search', 'wink-nlp-utils', 'wink-porter2-stemmer']));
    expect([...packages]).not.toContain('wink-nlp');
    expect([...packages]).not.toContain('wink-eng-lite-web-model');
  });
});

describe('what the Zendesk connector pulls in', () => {
  it("ships node-zendesk in the deliver bundle on the runtime's own fetch: no node-fetch, whatwg-url or tr46 (300 KB)", async () => {
    const packages = [...(await shippedPackagesOf('functions/steps/deliver/handler.ts'))];
    expect(packages).toContain('node-zendesk');
    expect(packages.filter((p) => ['cross-fetch', 'node-fetch', 'whatwg-url', 'tr46', 'webidl-conversions'].includes(p))).toEqual([]);
  });
});

describe('what the HubSpot connector pulls in', () => {
  it("ships @hubspot/api-client's CRM objects client in the deliver bundle, on the runtime's own FormData: no form-data or mime-db (160 KB)", async () => {
    const packages = [...(await shippedPackagesOf('functions/steps/deliver/handler.ts'))];
    expect(packages).toContain('@hubspot/api-client');
    expect(packages.filter((p) => ['form-data', 'mime-db', 'mime-types', 'combined-stream', 'bottleneck'].includes(p))).toEqual([]);
  });
});
