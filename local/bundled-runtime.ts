/**
 * The shipped bundles, running locally: synthesizes the CDK app for a stage with bundling on, as
 * `cdk deploy` does, and runs what it would deploy. Each function's asset runs in a Node process of
 * its own with its template environment (bundle-host.ts), the HTTP API goes through the API Gateway
 * adapter with the template's routes (apigw-adapter.ts), and the template's secrets come from an
 * embedded Secrets Manager (secrets-manager.ts); tables, bucket, state machines, event rules and
 * schedules are wired as in the in-process runtime (runtime.ts, template-services.ts), against the
 * same emulators and local Step Functions. This is what the parity suite drives
 * (tests/parity/shipped-bundles.e2e.test.ts).
 *
 * Executions are kept in memory (start on a fresh data folder); the synthesized app goes to
 * `<dataDir>/cdk.out`, which must lie outside the project, so that a bundle that needs a package it
 * does not carry fails to load as it would on Lambda instead of finding the project's node_modules.
 */
import { mkdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ENV } from '../functions/shared/env-names.js';
import { projectRoot } from '../infra/project-root.js';
import { startHttpApi } from './apigw-adapter.js';
import { BundleHost, type BundledFunction } from './bundle-host.js';
import { startEmulators, type Emulators } from './emulators.js';
import { bundleEnvironment, LOCAL_CREDENTIALS, type LocalServiceEndpoints } from './lambda-environment.js';
import { ensureBuckets, ensureTables } from './provision.js';
import { generatedSecretValue, startSecretsManager, type SecretValue } from './secrets-manager.js';
import { deliverySecretIn, signingSecretIn } from './signing-secret-file.js';
import { issuerKey, mintIdToken, serveIssuerKeys } from './identity-issuer.js';
import { loadDirectory } from '../state-machines/directory.js';
import { startSfnEndpoint } from './stepfunctions/endpoint.js';
import type { LocalStepFunctions } from './stepfunctions/engine.js';
import { LOCAL_REGION, TemplateReader, type CfnTemplate, type LocalFunction } from './template-reader.js';
import { LocalDeployments } from './deployments.js';
import { createTemplateEngine, startTemplateSchedules } from './template-services.js';

export interface BundledRuntimeOptions {
  /** A fresh folder: emulator data, the synthesized app (`cdk.out`), each function's log (`logs/`). */
  readonly dataDir: string;
  /** The stage to synthesize, as declared in the stages file. */
  readonly stage: string;
  /** @default stages.yaml (or HANDRAIL_STAGES_FILE) */
  readonly stagesFile?: string;
  readonly workflowsDir?: string;
  readonly directoryFile?: string;
  readonly collectionsFile?: string;
  /** @default 127.0.0.1 */
  readonly host?: string;
  /** The HTTP API's port. @default 0 (a free port) */
  readonly port?: number;
  /** The value of the stage's signing secret. @default the data folder's (`<dataDir>/signing-secret`) */
  readonly signingSecret?: string;
  /** The value of the stage's delivery key (receivers verify with it). @default the data folder's (`<dataDir>/delivery-secret`) */
  readonly deliverySecret?: string;
}

export interface BundledRuntime {
  /** The HTTP API (API Gateway adapter). */
  readonly url: string;
  /** The value of the stage's signing secret (reviewer tokens, delivery signatures). */
  readonly signingSecret: string;
  readonly template: CfnTemplate;
  /** The synthesized app: the template and every `asset.<hash>` directory. */
  readonly outdir: string;
  /** Each function as it runs here: its bundle, task root and whole environment. */
  readonly functions: readonly BundledFunction[];
  /** The functions' processes (tests inspect them). */
  readonly bundles: BundleHost;
  /** Each function's output, as its log group would hold it: `<logsDir>/<logicalId>.log`. */
  readonly logsDir: string;
  readonly engine: LocalStepFunctions;
  readonly emulators: Emulators;
  /** A workflow's webhook secret, as the stage's Secrets Manager holds it (what its sender signs with). */
  webhookSecret(workflowId: string): string;
  /** Signs in a user of the reviewer directory: an ID token as the stage's identity provider would issue it (its issuer and audience). */
  login(userId: string, ttlSeconds?: number): Promise<string>;
  /** Fires every scheduled rule now, with `time` as the event time. */
  runSchedules(time?: Date): Promise<unknown[]>;
  stop(): Promise<void>;
}

async function synthesizeBundled(options: BundledRuntimeOptions, outdir: string): Promise<CfnTemplate> {
  const { buildApp } = await import('../infra/app-factory.js');
  const { app, stack } = buildApp({ stage: options.stage, bundling: true, outdir, stagesFile: options.stagesFile, workflowsDir: options.workflowsDir, directoryFile: options.directoryFile, collectionsFile: options.collectionsFile });
  return app.synth().getStackByName(stack.stackName).template as CfnTemplate;
}

/** The template's secrets with local values: the signing secret and delivery key are the runtime's, the others generated as CloudFormation would. */
function secretValues(reader: TemplateReader, functions: LocalFunction[], known: { signingSecret: string; deliverySecret: string }): SecretValue[] {
  const arnsOf = (name: string) => new Set(functions.map((f) => f.environment[name]).filter(Boolean));
  const signing = arnsOf(ENV.signingSecretArn);
  const delivery = arnsOf(ENV.deliverySecretArn);
  return reader.secrets().map((s) => ({
    arn: s.arn,
    name: s.name,
    value: signing.has(s.arn) ? known.signingSecret : delivery.has(s.arn) ? known.deliverySecret : generatedSecretValue(s),
  }));
}

/** `fn` as the bundle host runs it: its asset directory as task root, and its whole environment. */
function bundledFunction(fn: LocalFunction, outdir: string, endpoints: LocalServiceEndpoints): BundledFunction {
  if (!fn.assetHash) throw new Error(`${fn.logicalId} (${fn.kind}) has no bundled asset; synthesize with bundling on`);
  const assetDir = join(outdir, `asset.${fn.assetHash}`);
  return { logicalId: fn.logicalId, arn: fn.arn, kind: fn.kind, assetDir, timeoutSeconds: fn.timeoutSeconds, environment: bundleEnvironment(fn, assetDir, endpoints) };
}

export async function startBundledRuntime(options: BundledRuntimeOptions): Promise<BundledRuntime> {
  const dataDir = resolve(options.dataDir);
  const outdir = join(dataDir, 'cdk.out');
  if (!relative(projectRoot, outdir).startsWith('..')) {
    throw new Error(`The bundled runtime's data folder must lie outside the project (${projectRoot}); received ${dataDir}`);
  }
  const hostname = options.host ?? '127.0.0.1';
  mkdirSync(dataDir, { recursive: true });
  const signingSecret = options.signingSecret ?? signingSecretIn(dataDir);
  const template = await synthesizeBundled(options, outdir);

  const emulators = await startEmulators({ dataDir, host: hostname });
  let apiUrl = '';
  const reader = new TemplateReader(template, (_id, attr) => (attr === 'ApiEndpoint' ? apiUrl : undefined));
  const local = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  await ensureTables(reader.tables(), join(dataDir, 'migrations'), { client: { ...local, endpoint: emulators.dynamodbEndpoint } });
  await ensureBuckets(reader.buckets(), { ...local, endpoint: emulators.s3Endpoint });

  // Task states, event rules and schedules invoke the bundles; the host exists once the endpoints do.
  let bundles: BundleHost | undefined;
  const lambdas = {
    invoke: async (arn: string, event: unknown) => {
      if (!bundles) throw new Error(`${arn} was invoked before the bundled runtime started`);
      return bundles.invoke(arn, event);
    },
  };
  const engine = createTemplateEngine(reader, lambdas);
  // Each workflow's version and live alias, as a first deploy creates them (runs start through the alias).
  await new LocalDeployments(engine).apply(reader);
  const sfn = await startSfnEndpoint(engine, { host: hostname });
  const api = await startHttpApi({ routes: reader.httpRoutes(), lambdas, host: hostname, port: options.port });
  apiUrl = api.url;

  const templateFunctions = reader.functions(); // read now: HANDRAIL_PUBLIC_URL is the API's URL
  const secretsHeld = secretValues(reader, templateFunctions, { signingSecret, deliverySecret: options.deliverySecret ?? deliverySecretIn(dataDir) });
  const secrets = await startSecretsManager(secretsHeld, { host: hostname });
  // The stage's identity provider: tokens minted with the embedded issuer's key, for the issuer and
  // audience the API's template names (its Cognito user pool and app client), keys served locally.
  const apiEnvironment = templateFunctions.find((f) => f.kind === 'api')?.environment ?? {};
  const key = await issuerKey(dataDir);
  const idp = await serveIssuerKeys(key, apiEnvironment[ENV.authIssuer] ?? '', hostname);
  const endpoints = { dynamodb: emulators.dynamodbEndpoint, s3: emulators.s3Endpoint, sfn: sfn.url, secretsManager: secrets.url, identityKeys: idp.jwksUrl };
  const functions = templateFunctions.map((fn) => bundledFunction(fn, outdir, endpoints));
  const logsDir = join(dataDir, 'logs');
  const host = new BundleHost(functions, { logsDir });
  bundles = host;
  const scheduler = startTemplateSchedules(reader, lambdas);

  return {
    url: api.url,
    signingSecret,
    template,
    outdir,
    functions,
    bundles: host,
    logsDir,
    engine,
    emulators,
    webhookSecret: (workflowId) => {
      const name = `${apiEnvironment[ENV.webhookSecretPrefix] ?? ''}${workflowId}`;
      const held = secretsHeld.find((s) => s.name === name);
      if (!held) throw new Error(`The stage has no webhook secret named ${name}`);
      return held.value;
    },
    login: (userId, ttlSeconds) =>
      mintIdToken({ key, issuer: apiEnvironment[ENV.authIssuer]!, audience: apiEnvironment[ENV.authAudience], directory: loadDirectory(options.directoryFile), userId, ttlSeconds }),
    runSchedules: (time) => scheduler.runNow(time),
    async stop() {
      scheduler.stop();
      await api.close();
      await host.stop();
      await sfn.close();
      await secrets.close();
      await idp.close();
      await emulators.stop();
    },
  };
}
