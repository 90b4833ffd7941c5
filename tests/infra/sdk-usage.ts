/**
 * Which AWS SDK commands a Lambda function's code can send, read from the code esbuild bundles for
 * it: the entry's static import graph (the metafile), with what no code path reaches shaken out, as
 * in the bundle `cdk deploy` ships. Each command is reported with the project module that uses it
 * and the environment variables (ENV.<name>) that module reads, which name the table, bucket or
 * secret it talks to.
 */
import { resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { ENV } from '../../functions/shared/env-names.js';
import { projectRoot } from '../../infra/project-root.js';

export interface SdkCommandUse {
  /** e.g. `@aws-sdk/lib-dynamodb` */
  readonly sdkPackage: string;
  /** e.g. `PutCommand` */
  readonly command: string;
  /** The project module (relative to the project root) whose code references the command. */
  readonly module: string;
  /** Environment variables that module reads through `ENV`, e.g. `HANDRAIL_AUDIT_TABLE`. */
  readonly envNames: readonly string[];
}

export interface SdkUsage {
  readonly uses: readonly SdkCommandUse[];
  /** Every project module in the entry's static import graph (the metafile's inputs). */
  readonly graph: readonly string[];
  /** The modules of the graph with code left in the bundle. */
  readonly bundled: readonly string[];
}

/**
 * Helpers that send a command whose table their caller names: a module that calls one uses that
 * command on its own table (e.g. `updateIf({ TableName: table(), ... })`).
 */
export const FORWARDING_HELPERS: readonly { readonly module: string; readonly fn: string; readonly sdkPackage: string; readonly command: string }[] = [
  { module: 'functions/records/dynamo-helpers.ts', fn: 'updateIf', sdkPackage: '@aws-sdk/lib-dynamodb', command: 'UpdateCommand' },
  { module: 'functions/records/dynamo-helpers.ts', fn: 'putIf', sdkPackage: '@aws-sdk/lib-dynamodb', command: 'PutCommand' },
  { module: 'functions/records/dynamo-helpers.ts', fn: 'scanAll', sdkPackage: '@aws-sdk/lib-dynamodb', command: 'ScanCommand' },
  { module: 'functions/records/dynamo-helpers.ts', fn: 'scanPages', sdkPackage: '@aws-sdk/lib-dynamodb', command: 'ScanCommand' },
  { module: 'functions/records/dynamo-helpers.ts', fn: 'queryAll', sdkPackage: '@aws-sdk/lib-dynamodb', command: 'QueryCommand' },
  { module: 'functions/records/dynamo-helpers.ts', fn: 'queryUpTo', sdkPackage: '@aws-sdk/lib-dynamodb', command: 'QueryCommand' },
  { module: 'functions/records/dynamo-helpers.ts', fn: 'getConsistent', sdkPackage: '@aws-sdk/lib-dynamodb', command: 'BatchGetCommand' },
  { module: 'functions/records/erasure-writes.ts', fn: 'redactTable', sdkPackage: '@aws-sdk/lib-dynamodb', command: 'ScanCommand' },
  { module: 'functions/records/erasure-writes.ts', fn: 'redactTable', sdkPackage: '@aws-sdk/lib-dynamodb', command: 'UpdateCommand' },
  { module: 'functions/records/erasure-writes.ts', fn: 'redactTable', sdkPackage: '@aws-sdk/lib-dynamodb', command: 'GetCommand' },
  { module: 'functions/shared/stage-secret.ts', fn: 'stageSecret', sdkPackage: '@aws-sdk/client-secrets-manager', command: 'GetSecretValueCommand' },
];

const envKeyToName = ENV as Readonly<Record<string, string>>;

/** Splits esbuild's unminified ESM output into the code of each bundled module (`// path` headers). */
function moduleSections(text: string): Map<string, string> {
  const sections = new Map<string, string>();
  const header = /^\/\/ ((?:[\w.@-]+\/)*[\w.@-]+\.(?:ts|mts|js|mjs|cjs|json))$/gm;
  const marks = [...text.matchAll(header)];
  marks.forEach((m, i) => {
    const end = i + 1 < marks.length ? marks[i + 1]!.index : text.length;
    sections.set(m[1]!, (sections.get(m[1]!) ?? '') + text.slice(m.index + m[0].length, end));
  });
  return sections;
}

/** `import { A, B as B2 } from "@aws-sdk/x"` → local name → { package, exported name }. */
function sdkImports(text: string): Map<string, { sdkPackage: string; name: string }> {
  const names = new Map<string, { sdkPackage: string; name: string }>();
  for (const m of text.matchAll(/^import\s*\{([^}]*)\}\s*from\s*"(@aws-sdk\/[^"]+)";?$/gm)) {
    for (const spec of m[1]!.split(',').map((s) => s.trim()).filter(Boolean)) {
      const [name, local] = spec.split(/\s+as\s+/) as [string, string | undefined];
      names.set(local ?? name, { sdkPackage: m[2]!, name });
    }
  }
  if (/^import\s*(?:\*\s*as\s+[\w$]+|[\w$]+)\s+from\s*"@aws-sdk\//m.test(text)) {
    throw new Error('Namespace and default imports of the AWS SDK are not analysed: import commands by name');
  }
  return names;
}

/** The AWS SDK commands the function built from `entry` can send. */
export async function sdkUsageOf(entry: string): Promise<SdkUsage> {
  const result = await esbuild.build({
    entryPoints: [resolve(projectRoot, entry)],
    absWorkingDir: projectRoot,
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
  });
  const text = result.outputFiles[0]!.text;
  const graph = Object.keys(result.metafile.inputs).filter((p) => !p.startsWith('node_modules/'));
  const imports = sdkImports(text);
  const commands = [...imports].filter(([, i]) => /Command$/.test(i.name));
  const sections = moduleSections(text);
  const uses: SdkCommandUse[] = [];
  for (const [module, section] of sections) {
    const code = section.replace(/^import\s[^;]*;$/gm, '');
    if (!graph.includes(module)) throw new Error(`Bundle section ${module} is not in the metafile of ${entry}`);
    const envNames = [...new Set([...code.matchAll(/\bENV\d*\.(\w+)/g)].map((m) => envKeyToName[m[1]!]).filter((n): n is string => !!n))];
    const forwarded = FORWARDING_HELPERS.filter((h) => h.module === module);
    for (const [local, { sdkPackage, name }] of commands) {
      if (forwarded.some((h) => h.sdkPackage === sdkPackage && h.command === name)) continue; // counted where it is called
      if (new RegExp(`(?<![\\w$.])${local.replace(/\$/g, '\\$')}(?![\\w$])`).test(code)) uses.push({ sdkPackage, command: name, module, envNames });
    }
    for (const helper of FORWARDING_HELPERS) {
      // A forwarding helper built on another (redactTable on scanPages): counted where it is called.
      if (forwarded.some((h) => h.sdkPackage === helper.sdkPackage && h.command === helper.command)) continue;
      if (module !== helper.module && new RegExp(`(?<![\\w$.])${helper.fn}\\d*\\(`).test(code)) {
        uses.push({ sdkPackage: helper.sdkPackage, command: helper.command, module, envNames });
      }
    }
  }
  return { uses, graph, bundled: [...sections.keys()] };
}
