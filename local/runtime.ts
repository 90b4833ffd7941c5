/**
 * The embedded local runtime: synthesizes the CDK app, starts the emulators, creates the tables
 * and bucket the template declares, registers each state machine's ASL from the template with
 * the local Step Functions engine, runs the real handlers in-process (on a thread of their own), and serves the HTTP API.
 * Nothing here re-implements a workflow: it runs what `cdk deploy` would ship.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { serve } from '@hono/node-server';
import { projectRoot } from '../infra/project-root.js';
import { enableConcurrentInvocations } from '../functions/shared/invocation-scope.js';
import { stateMachineName } from '../state-machines/compiler/index.js';
import { ENV } from '../functions/shared/env-names.js';
import { startEmulators, type Emulators } from './emulators.js';
import { emulatorExchange } from './emulator-transport.js';
import { InProcessRequestHandler } from './in-process-requests.js';
import { synthTemplate } from './synth-template.js';
import { installFunctionEnv } from './function-env.js';
import type { LambdaHost } from './lambda-host.js';
import { ThreadedLambdaHost } from './lambda-thread.js';
import { routeMatcher } from './apigw-routes.js';
import { createOutbox } from './outbox.js';
import { deliverySecretIn, signingSecretIn, webhookSecretIn, webhookSecretsIn } from './signing-secret-file.js';
import { loadWorkflows } from '../state-machines/load-workflow.js';
import { createSink } from './sink.js';
import { DEFAULT_SMTP_PORT, startSmtpListener } from './smtp-listener.js';
import type { LocalStepFunctions } from './stepfunctions/engine.js';
import { authorize } from '../functions/api/authorize.js';
import { accountStanding } from '../functions/records/disabled-users.js';
import { resetCollections } from '../functions/knowledge/collection-access.js';
import { resetDeployedReleases } from '../functions/releases/deployed.js';
import { resetClients } from '../functions/shared/aws-clients.js';
import { installRequestHandler, removeRequestHandler } from '../functions/shared/aws-request-handlers.js';
import { resetWebhookSecrets } from '../functions/triggers/webhook-secrets.js';
import { resetZendeskCredentials } from '../functions/connectors/zendesk/credentials.js';
import { resetHubspotCredentials } from '../functions/connectors/hubspot/credentials.js';
import { resetStageSecrets } from '../functions/shared/stage-secret.js';
import { resetIdTokenKeys } from '../functions/auth/id-tokens.js';
import { resetWorkflowRegistry } from '../functions/shared/workflow-registry.js';
import { resetChannelSecrets } from '../functions/notifications/channel-config.js';
import { roles, SIGN_IN_CALLBACK_PATH } from '../functions/api/route-table.js';
import { issuerKey, issuerRoutes, mintIdToken } from './identity-issuer.js';
import { signInCodeIn } from './issuer-sign-in.js';
import { LOCAL_ISSUER_PATH } from '../functions/auth/local-identity.js';
import { loadDirectory } from '../state-machines/directory.js';
import { sfnExchange, startSfnEndpoint } from './stepfunctions/endpoint.js';
import { ensureBuckets, ensureTables } from './provision.js';
import { LocalDeployments } from './deployments.js';
import { EVIDENCE_TABLES, writeLocalStage } from './stage-file.js';
import { isAlive } from './process-alive.js';
import { loadPipelineConfig, stageBefore } from '../infra/pipeline-config.js';
import { auditTrail, resetAuditHeads } from '../functions/records/audit.js';
import { createTemplateEngine, startRolloutMonitor, startTemplateSchedules } from './template-services.js';
import { LOCAL_ACCOUNT, LOCAL_REGION, TemplateReader, type CfnTemplate, type LocalFunction } from './template-reader.js';

export { LOCAL_STAGE } from '../infra/stage-config.js';
import { LOCAL_STAGE } from '../infra/stage-config.js';
import { VENDOR_TRIGGER_AUTH } from '../state-machines/schema.js';

/** The environment the developer started with: it wins over the template's local defaults. */
const developerEnv: Readonly<Record<string, string | undefined>> = { ...process.env };

export interface LocalRuntimeOptions {
  /** Where data persists across restarts (e.g. `.handrail`). */
  readonly dataDir: string;
  /** @default 3000; 0 picks a free port */
  readonly port?: number;
  /** @default 127.0.0.1 */
  readonly host?: string;
  readonly workflowsDir?: string;
  /** @default state-machines/reviewers.yaml */
  readonly directoryFile?: string;
  /** @default state-machines/collections.yaml */
  readonly collectionsFile?: string;
  /** Load `knowledge-samples/` into the knowledge store. @default true */
  readonly loadSamples?: boolean;
  /** Extra environment for the handlers (e.g. HANDRAIL_PROVIDERS, OPENAI_API_KEY). */
  readonly env?: Record<string, string>;
  /** How often deployments in progress are moved on or rolled back (rollout-monitor.ts). @default 5000 */
  readonly rolloutCheckMs?: number;
  /**
   * The pipeline stage this runtime plays (HANDRAIL_PIPELINE_STAGE; stages.yaml pipeline.order). A
   * stage after the first takes a release only when it is promoted from the stage before
   * (npx handrail promote); without it, the runtime is the `local` stage and takes every release.
   */
  readonly pipelineStage?: string;
  /**
   * The port of the SMTP listener that plays the template's SES receipt rules (smtp-listener.ts),
   * when the stage declares email (`npm start` passes HANDRAIL_SMTP_PORT). @default 2525; 0 (a free port) when `port` is 0
   */
  readonly smtpPort?: number;
}

export interface LocalRuntime {
  readonly url: string;
  /** Where its data persists (the local issuer's key is there: `npx handrail login`). */
  readonly dataDir: string;
  readonly engine: LocalStepFunctions;
  readonly sfnEndpoint: string;
  readonly emulators: Emulators;
  readonly signingSecret: string;
  readonly template: CfnTemplate;
  readonly sink: ReturnType<typeof createSink>['received'];
  /** Where the SMTP listener receives mail for the stage's addresses (undefined: the stage declares no email). */
  readonly smtpPort?: number;
  /** The key deliveries are signed with (Standard Webhooks `whsec_…`): what receivers verify with. */
  readonly deliverySecret: string;
  /** A workflow's webhook secret (Standard Webhooks `whsec_…`): what its sender signs with. */
  webhookSecret(workflowId: string): string;
  /** Signs in a user of the reviewer directory: an ID token from the embedded issuer (`npx handrail login`). */
  login(userId: string, ttlSeconds?: number): Promise<string>;
  /** The in-process Lambda host (tests inject faults into invocations through it). */
  readonly lambdas: LambdaHost;
  /** Fires every scheduled job now, with `time` as the event time (fake time for tests). */
  runSchedules(time?: Date): Promise<unknown[]>;
  /** Each workflow alias's latest deployment (this start's, or one still in progress from before). */
  readonly deployments: LocalDeployments;
  /** Moves deployments in progress on now (as its timer does every `rolloutCheckMs`). */
  checkRollouts(): Promise<void>;
  stop(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`Port ${port} is in use; stop the other process or set PORT to another port`) : err),
    );
    server.once('listening', () => resolvePort((server.address() as AddressInfo).port));
  });
}

/** The releases promoted to this stage (release.promoted audit events, functions/releases/promote.ts). */
async function promotedReleases(workflowIds: string[]): Promise<Set<string>> {
  const trails = await Promise.all(workflowIds.map((id) => auditTrail(`workflow#${id}`)));
  return new Set(trails.flat().flatMap((e) => (e.type === 'release.promoted' ? [e.details?.releaseId as string] : [])));
}

export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const dataDir = resolve(options.dataDir);
  const host = options.host ?? '127.0.0.1';
  const pipeline = loadPipelineConfig();
  if (options.pipelineStage && !pipeline.order.includes(options.pipelineStage)) throw new Error(`HANDRAIL_PIPELINE_STAGE=${options.pipelineStage} is not a stage of the pipeline (${pipeline.order.join(' → ')}; stages.yaml pipeline.order)`);
  const promotedFrom = options.pipelineStage ? stageBefore(pipeline, options.pipelineStage) : undefined;
  mkdirSync(dataDir, { recursive: true });
  const signingSecret = signingSecretIn(dataDir);
  const deliverySecret = deliverySecretIn(dataDir);

  // 1. Synthesize the same CDK app `cdk deploy` ships (no bundling: handlers run from source).
  const template = await synthTemplate(LOCAL_STAGE, options);

  // 2. Emulators, and the tables and bucket the template declares.
  // One runtime per data folder: a second would find the embedded stores locked by the first.
  const runningFile = join(dataDir, 'stepfunctions', 'running');
  const holder = existsSync(runningFile) ? Number(readFileSync(runningFile, 'utf8')) : undefined;
  if (holder && holder !== process.pid && isAlive(holder)) {
    throw new Error(`another Handrail runtime (pid ${holder}) is using ${dataDir}; stop it, or start this one with another HANDRAIL_DATA_DIR`);
  }
  const emulators = await startEmulators({ dataDir, host });
  // This thread's DynamoDB requests (the API's) go to the emulator without a socket; the functions' thread gets a port of its own.
  const dynamoPort = emulatorExchange(emulators.connect());
  const dynamoRequests = new InProcessRequestHandler(dynamoPort.exchange);
  installRequestHandler('dynamodb', dynamoRequests);
  let publicUrl = '';
  const reader = new TemplateReader(template, (_id, attr) => (attr === 'ApiEndpoint' ? publicUrl : undefined));
  const functions = reader.functions();

  const env: Record<string, string> = {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_ENDPOINT_URL_DYNAMODB: emulators.dynamodbEndpoint,
    AWS_ENDPOINT_URL_S3: emulators.s3Endpoint,
    [ENV.s3ForcePathStyle]: 'true',
    [ENV.signingSecret]: signingSecret,
    [ENV.stateMachinePrefix]: `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${stateMachineName(LOCAL_STAGE, '')}`,
    // Approval emails land as .eml files in the outbox (GET /outbox) instead of being sent.
    [ENV.emailTransport]: process.env[ENV.emailTransport] ?? 'outbox',
    [ENV.emailFrom]: process.env[ENV.emailFrom] ?? 'handrail@localhost',
    [ENV.outboxDir]: join(dataDir, 'outbox'),
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    // No X-Ray here: this process is no Lambda execution environment (functions/shared/tracer.ts).
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
  // Paths and secrets that only mean something inside a Lambda bundle are replaced by local ones
  // (secrets come inline from the developer's environment, e.g. OPENAI_API_KEY).
  const bundleOnly = new Set<string>([ENV.signingSecretArn, ENV.deliverySecretArn, ENV.channelSecretsArn, ENV.openAiSecretArn, ENV.zendeskSecretArn, ENV.hubspotSecretArn, ENV.webhookSecretPrefix, ENV.workflowsDir, ENV.directoryFile, ENV.collectionsFile, ENV.releasesFile]);
  // The template's values (the local stage's configuration), except where the developer set the
  // variable before starting (e.g. SUPPORT_REPLY_URL, HANDRAIL_PROVIDERS).
  const platform = new Set(Object.keys(env));
  const templateEnv = (): Record<string, string> => {
    const values: Record<string, string> = {};
    for (const fn of reader.functions()) {
      for (const [k, v] of Object.entries(fn.environment)) if (!platform.has(k) && !bundleOnly.has(k) && !(k in values)) values[k] = developerEnv[k] ?? v;
    }
    return values;
  };
  const beforeListening = templateEnv();
  Object.assign(env, beforeListening);
  if (options.workflowsDir) env[ENV.workflowsDir] = resolve(options.workflowsDir);
  // The delivery key and each workflow's webhook secret: files in the data folder (Secrets Manager on AWS).
  env[ENV.deliverySecret] = deliverySecret;
  // The Zendesk API token (when the stage declares zendesk): a file the developer writes (Secrets Manager on AWS).
  env[ENV.zendeskApiTokenFile] = join(dataDir, 'zendesk-api-token');
  // The HubSpot private app's access token (when the stage declares hubspot), likewise.
  env[ENV.hubspotAccessTokenFile] = join(dataDir, 'hubspot-access-token');
  const definitions = loadWorkflows(options.workflowsDir).map((w) => w.definition);
  env[ENV.webhookSecretsDir] = webhookSecretsIn(dataDir, definitions.map((d) => d.id), definitions.flatMap((d) => VENDOR_TRIGGER_AUTH.filter((vendor) => d.trigger.auth.includes(vendor)).map((vendor) => ({ workflowId: d.id, vendor }))));
  if (options.directoryFile) env[ENV.directoryFile] = resolve(options.directoryFile);
  if (options.collectionsFile) env[ENV.collectionsFile] = resolve(options.collectionsFile);
  // The releases the template's state machines are tagged with, as the API's bundle ships them.
  env[ENV.releasesFile] = join(dataDir, 'releases.json');
  writeFileSync(env[ENV.releasesFile], JSON.stringify(reader.releases()));
  // A process may run another runtime before this one (tests): forget what the last one read.
  resetDeployedReleases();
  resetCollections();
  resetClients();
  // …and what it cached from its own data folder and workflows (another folder has other secrets and keys).
  resetWebhookSecrets();
  resetStageSecrets();
  resetZendeskCredentials();
  resetHubspotCredentials();
  resetIdTokenKeys();
  resetWorkflowRegistry();
  resetChannelSecrets();
  resetAuditHeads();
  Object.assign(env, options.env ?? {});
  for (const name of bundleOnly) delete process.env[name];
  Object.assign(process.env, env);
  // Many invocations share this process: each gets its own log context (before the first SDK call).
  await enableConcurrentInvocations();

  // After an unclean stop (the marker below was left behind), the embedded DynamoDB's indexes are
  // rebuilt from the items (see provision.ts: dynalite does not write them atomically).
  const running = runningFile;
  const uncleanStop = existsSync(running);
  await ensureTables(reader.tables(), join(dataDir, 'migrations'), { rebuildIndexes: uncleanStop });
  await ensureBuckets(reader.buckets());

  // 3. The local Step Functions service, running the template's ASL with the real handlers.
  // Each function reads only its own environment (function-env.ts): its template's names, and
  // where its template names a secret or a bundle path, the local stand-in for it.
  installFunctionEnv();
  const standIns: Record<string, string[]> = {
    [ENV.webhookSecretPrefix]: [ENV.webhookSecretsDir],
    [ENV.deliverySecretArn]: [ENV.deliverySecret],
    [ENV.signingSecretArn]: [ENV.signingSecret],
    [ENV.channelSecretsArn]: [ENV.slackBotToken, ENV.slackSigningSecret, ENV.teamsWebhookUrl, ENV.slackApiUrl],
    [ENV.openAiSecretArn]: [ENV.openAiApiKey],
    [ENV.zendeskSecretArn]: [ENV.zendeskApiTokenFile],
    [ENV.hubspotSecretArn]: [ENV.hubspotAccessTokenFile],
    // Email goes to the outbox instead of SES, from a local sender unless the stage names one.
    [ENV.emailTransport]: [ENV.outboxDir, ENV.emailFrom],
  };
  // Runtime options' variables are test hooks: every function sees them.
  const hooks = Object.keys(options.env ?? {});
  const visibleNames = (fn: LocalFunction) =>
    new Set([...Object.keys(fn.environment), ...Object.keys(fn.environment).flatMap((k) => standIns[k] ?? []), ...hooks]);
  // A name two functions give different values (each workflow's retrieve function its collections):
  // the shared environment holds the first; each function reads its own.
  const ownValues = (fn: LocalFunction) =>
    Object.fromEntries(Object.entries(fn.environment).filter(([k, v]) => !platform.has(k) && !bundleOnly.has(k) && developerEnv[k] === undefined && beforeListening[k] !== undefined && beforeListening[k] !== v));
  // The functions run on a thread of their own (lambda-thread.ts); the API's requests on this one.
  const lambdas = await ThreadedLambdaHost.start(functions, projectRoot, visibleNames, ownValues, emulators.connect());
  // The template's state machines, and its event rules for executions that end outside them.
  const engine = createTemplateEngine(reader, lambdas, join(dataDir, 'stepfunctions'));
  // This start deploys the template: each workflow's new version, and its live alias shifted to it.
  const deployments = new LocalDeployments(engine, join(dataDir, 'stepfunctions'));
  // A stage after the first takes only the releases promoted to it from the stage before.
  const workflowOf = new Map(reader.releases().map((r) => [r.releaseId, r.manifest.workflowId]));
  const promoted = promotedFrom ? await promotedReleases([...workflowOf.values()]) : undefined;
  for (const d of await deployments.apply(reader, (releaseId) => promoted !== undefined && !promoted.has(releaseId ?? ''))) {
    const alias = d.aliasArn.split(':').slice(-2).join(':');
    if (d.status === 'in_progress') console.log(`handrail: ${alias}: release ${d.toReleaseId} takes ${d.weight}% of new runs (${d.preference.type.toLowerCase()}, every ${d.preference.interval} min), ${d.fromReleaseId} the rest${d.watched ? '; rolled back if its rule breaks' : ''}`);
    if (d.status === 'awaiting_promotion') console.log(`handrail: ${alias}: release ${d.toReleaseId} waits for promotion to ${options.pipelineStage} (npx handrail promote ${workflowOf.get(d.toReleaseId ?? '')} --from ${promotedFrom} --to ${options.pipelineStage} --reason …); new runs ${d.fromVersionArn ? 'stay where they were' : 'are refused until then'}`);
  }
  // Executions that were open when the runtime last stopped (even by SIGKILL) continue where they
  // were; waiting ones on the same task tokens, open before the API listens, so no decision can
  // find its token unknown. They run once the API's URL is known and recorded decisions are sent.
  writeFileSync(running, String(process.pid));
  const startedAt = new Date();
  const recovered = engine.recover({ hold: true });
  const sfn = await startSfnEndpoint(engine, { host });
  process.env.AWS_ENDPOINT_URL_SFN = sfn.url;
  // The API's Step Functions requests (a webhook's StartExecution, a decision's SendTaskSuccess) reach the engine on this thread without a socket.
  const sfnRequests = new InProcessRequestHandler(sfnExchange(engine));
  installRequestHandler('sfn', sfnRequests);

  // 4. The HTTP API (imported now, after the environment is set, as a Lambda cold start would).
  const { createApp } = await import('../functions/api/app.js');
  const app = createApp();
  const sink = createSink(deliverySecret, join(dataDir, 'sink'));
  // What the local sink received and the outbox's emails (with review links) are customer data:
  // reading them takes a sign-in as an admin, as every API read does (the sink's POST checks its signature).
  app.on('GET', ['/sink/:workflowId', '/outbox', '/outbox/:id'], authorize({ method: 'GET', path: '/sink, /outbox', summary: 'the local runtime\'s sink and outbox', access: roles('admin') }, accountStanding));
  app.route('/sink', sink.app);
  // The embedded identity provider: discovery and keys on the API's own URL (the local stage's issuer).
  const key = await issuerKey(dataDir);
  // Its sign-in page (browser sign-in, `npx handrail login --stage local`) asks for the operator's sign-in code.
  app.route(
    LOCAL_ISSUER_PATH,
    issuerRoutes(key, () => `${publicUrl}${LOCAL_ISSUER_PATH}`, { signInCode: signInCodeIn(dataDir), directory: () => loadDirectory(options.directoryFile), apiCallback: () => `${publicUrl}${SIGN_IN_CALLBACK_PATH}` }),
  );
  app.route('/outbox', createOutbox(env[ENV.outboxDir]!));
  // Each request is an invocation of the function the template routes it to (the API's, the
  // console's, the knowledge function's), with that function's environment, as API Gateway makes it
  // on AWS; what only this runtime serves (sink, outbox, issuer) is an invocation of the API's.
  const apiFunction = functions.find((f) => f.kind === 'api');
  const routeOf = routeMatcher(reader.httpRoutes());
  const fetch: typeof app.fetch = (req, env) => {
    const arn = routeOf(req.method, new URL(req.url).pathname)?.route.functionArn ?? apiFunction?.arn;
    return arn ? lambdas.asInvocation(arn, async (lambdaContext) => app.fetch(req, { ...(env as object), lambdaContext })) : app.fetch(req, env);
  };
  const server = serve({ fetch, port: options.port ?? 3000, hostname: host }) as Server;
  const port = await listen(server, options.port ?? 3000, host);
  publicUrl = `http://${host === '0.0.0.0' ? 'localhost' : host === '127.0.0.1' ? 'localhost' : host}:${port}`;
  process.env[ENV.publicUrl] = publicUrl;
  const localStage = { stage: options.pipelineStage ?? LOCAL_STAGE, url: publicUrl, tables: Object.fromEntries(EVIDENCE_TABLES.map((name) => [name, env[name]!])) };
  writeLocalStage(dataDir, { ...localStage, pid: process.pid, dynamodbEndpoint: emulators.dynamodbEndpoint });
  // Values that name the API's own URL (e.g. a deliver step's default target, the local sink) follow
  // the port it listens on.
  for (const [k, v] of Object.entries(templateEnv())) if (beforeListening[k] !== v && process.env[k] === beforeListening[k]) process.env[k] = env[k] = v;

  const executionArnOf = (run: { workflowId: string; runId: string }) =>
    `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:${stateMachineName(LOCAL_STAGE, run.workflowId)}:${run.runId}`;
  // Imported now, like the API: the handlers' modules read their environment when loaded.
  const { recoverRuns } = await import('./recover-runs.js');
  const recovery = await recoverRuns(engine, executionArnOf, recovered.lost, uncleanStop, startedAt);
  engine.releaseRecovered();
  if (recovered.continued.length || recovery.lost || recovery.restarted || recovery.orphaned || recovery.decisions.checked) {
    console.log(
      `handrail: recovered after the last stop: ${recovered.continued.length} run(s) continued, ${recovery.restarted} started from their record, ` +
        `${recovery.lost + recovery.orphaned} sent to the human queue, ${recovery.decisions.resent} decision(s) delivered again`,
    );
  }

  if (options.loadSamples !== false) {
    const { loadSampleKnowledge } = await import('../functions/knowledge/load-samples.js');
    await loadSampleKnowledge(join(projectRoot, 'knowledge-samples'));
  }

  // 5. The template's schedules (e.g. approval reminders), as EventBridge would fire them.
  const scheduler = startTemplateSchedules(reader, lambdas);
  // 6. The template's SES receipt rules: an SMTP listener stores each message and invokes the rule's function.
  const receiptRules = reader.receiptRules();
  const { s3Client } = await import('../functions/shared/aws-clients.js');
  const smtp = receiptRules.length
    ? await startSmtpListener({
        rules: receiptRules,
        lambdas,
        s3: s3Client(),
        port: options.smtpPort ?? ((options.port ?? 3000) === 0 ? 0 : DEFAULT_SMTP_PORT),
        host,
        onError: (err, rule) => console.error(`handrail: receipt rule ${rule.ruleId}: its function failed: ${(err as Error).message}`),
      })
    : undefined;
  // 7. Deployments in progress: more traffic as their intervals pass, or back on a broken quality rule.
  const rollouts = await startRolloutMonitor(engine, deployments, reader, options.rolloutCheckMs ?? 5000);

  let stopping: Promise<void> | undefined;
  return {
    url: publicUrl,
    dataDir,
    engine,
    sfnEndpoint: sfn.url,
    emulators,
    signingSecret,
    template,
    sink: sink.received,
    ...(smtp ? { smtpPort: smtp.port } : {}),
    lambdas,
    deliverySecret,
    webhookSecret: (workflowId) => webhookSecretIn(dataDir, workflowId),
    login: (userId, ttlSeconds) =>
      mintIdToken({ key, issuer: `${publicUrl}${LOCAL_ISSUER_PATH}`, directory: loadDirectory(options.directoryFile), userId, ttlSeconds }),
    runSchedules: (time) => scheduler.runNow(time),
    deployments,
    checkRollouts: () => rollouts.check(),
    // Once: a second stop (SIGINT then SIGTERM, a test's own stop and its suite's) waits for the first.
    stop: () => (stopping ??= stopAll()),
  };

  async function stopAll(): Promise<void> {
    scheduler.stop();
    await smtp?.close();
    await rollouts.stop();
    await new Promise<void>((done) => server.close(() => done()));
    await sfn.close();
    await lambdas.close();
    removeRequestHandler('sfn', sfnRequests);
    removeRequestHandler('dynamodb', dynamoRequests);
    dynamoPort.close();
    await emulators.stop();
    writeLocalStage(dataDir, localStage);
    engine.closeJournal();
    rmSync(running, { force: true }); // a clean stop: the next start need not look for lost runs
  }
}
