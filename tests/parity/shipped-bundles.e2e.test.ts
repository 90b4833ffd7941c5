/**
 * The parity suite: what ships is what is tested. The CDK app is synthesized with bundling, as
 * `cdk deploy` does, for a deployable stage (tests/support/parity.ts); each Lambda bundle runs in a
 * Node process of its own with its template environment (local/bundle-host.ts); the HTTP API goes
 * through an API Gateway payload-2.0 adapter with the template's routes (local/apigw-adapter.ts);
 * secrets come from an embedded Secrets Manager; all against the emulators and the local Step
 * Functions. Every workflow in state-machines/workflows/ runs once: webhook → approval → decision
 * → signed delivery.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ENV } from '../../functions/shared/env-names.js';
import { DECISION_METRICS, METRICS_NAMESPACE, PROVIDER_METRICS, USAGE_METRICS, WORKFLOW_METRICS } from '../../functions/shared/metric-names.js';
import { projectRoot } from '../../infra/project-root.js';
import { startBundledRuntime, type BundledRuntime } from '../../local/bundled-runtime.js';
import { stateMachineName } from '../../state-machines/compiler/index.js';
import { loadWorkflows } from '../../state-machines/load-workflow.js';
import { client, decideAs, pendingApprovalOf, startSignedReceiver, waitForRun } from '../support/local-runtime.js';
import { approveUntilSettled, loadKnowledge, PARITY_INPUT_REVIEWER, PARITY_STAGE, sampleInput, writeParityStages } from '../support/parity.js';
import { minimalPdf } from '../support/pdf.js';

/** What Lambda itself puts in every function's environment, and the SDK endpoint overrides: nothing else may be there. */
const PLATFORM = [
  '_HANDLER',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_LAMBDA_LOG_FORMAT',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
  'TZ',
  'LANG',
  'PATH',
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_ENDPOINT_URL_S3',
  'AWS_ENDPOINT_URL_SFN',
  'AWS_ENDPOINT_URL_SECRETS_MANAGER',
];
/** Set in this process only: no bundle may see them. */
const CANARY = 'HANDRAIL_PARITY_CANARY';

const workflows = loadWorkflows();
/** The S3 prefix the parity stage's rfp collection follows (stages.yaml knowledgeSync). */
const SYNC_BUCKET = 'parity-sources';
const SYNC_FROM = `s3://${SYNC_BUCKET}/rfp/`;
// A workflow that posts to Slack reaches Slack's Web API, which the bundled runtime has no stand-in
// for (its Slack delivery is tested on the local runtime against a fake Slack: slack-delivery,
// meeting-notes): here it runs through its bundles up to its reviewer's decision.
const postsToSlack = (w: (typeof workflows)[number]) => w.definition.steps.some((s) => s.kind === 'deliver' && s.slack);
let rt: BundledRuntime;
let receiver: Awaited<ReturnType<typeof startSignedReceiver>>;
const api = () => client(rt);

const templateVariables = (logicalId: string): Record<string, unknown> =>
  (rt.template.Resources[logicalId]?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
const fn = (kind: string) => rt.functions.find((f) => f.kind === kind)!;
const executionOf = async (workflowId: string, runId: string) => {
  const arn = `arn:aws:states:us-east-1:000000000000:execution:${stateMachineName(PARITY_STAGE, workflowId)}:${runId}`;
  return { arn, ...(await rt.engine.describeExecution(arn)) };
};

/** The bundled runtime for `stage` (declared by `stages`), delivering to a receiver that checks the stage's signature. */
async function startParity(stage: string, stages?: Record<string, object>) {
  const dir = mkdtempSync(join(tmpdir(), 'handrail-parity-'));
  const signingSecret = randomBytes(32).toString('base64url');
  const deliverySecret = `whsec_${randomBytes(32).toString('base64')}`;
  const signedReceiver = await startSignedReceiver(deliverySecret);
  const stagesFile = writeParityStages(join(dir, 'stages.yaml'), workflows, signedReceiver.url, stages);
  const runtime = await startBundledRuntime({ dataDir: join(dir, 'data'), stage, stagesFile, signingSecret, deliverySecret });
  await loadKnowledge(runtime, workflows, join(projectRoot, 'knowledge-samples'));
  return { runtime, signedReceiver };
}

describe('the shipped bundles', () => {
  beforeAll(async () => {
    process.env[CANARY] = 'the test process only';
    process.env[ENV.signingSecret] = 'an inline signing secret the bundles must not see';
    // The rfp collection follows an S3 prefix on a schedule: the sync bundle (with PDF.js) runs too.
    ({ runtime: rt, signedReceiver: receiver } = await startParity(PARITY_STAGE, { [PARITY_STAGE]: { providers: ['offline'], knowledgeSync: { rfp: { from: SYNC_FROM, every: '1h' } } } }));
  }, 180_000); // bundles every function first, as cdk deploy does

  afterAll(async () => {
    await rt?.stop();
    await receiver?.close();
    delete process.env[CANARY];
    delete process.env[ENV.signingSecret];
  });

  it.each(workflows.filter(postsToSlack).map((w) => [w.definition.id, w] as const))('%s: webhook → draft → the approval of the reviewer its input names → rejection', async (workflowId, workflow) => {
    const started = await api().post(`/webhooks/${workflowId}`, sampleInput(workflow.definition), { 'Idempotency-Key': `parity-${workflowId}` });
    expect(started.status).toBe(202);
    const pending = await pendingApprovalOf(rt, started.body.runId);
    expect(pending.reviewers).toEqual([PARITY_INPUT_REVIEWER]);
    expect((await decideAs(rt, pending, PARITY_INPUT_REVIEWER, { action: 'reject', reasonCode: pending.reasons[0] })).status).toBe(200);
    await waitForRun(rt, started.body.runId, ['rejected']);
    await vi.waitFor(async () => expect((await executionOf(workflowId, started.body.runId)).status).toBe('SUCCEEDED'), { timeout: 10_000 });
  });

  it.each(workflows.filter((w) => !postsToSlack(w)).map((w) => [w.definition.id, w] as const))('%s: webhook → approval → decision → signed delivery', async (workflowId, workflow) => {
    // Act: a webhook, through API Gateway's event to the API bundle
    const started = await api().post(`/webhooks/${workflowId}`, sampleInput(workflow.definition), { 'Idempotency-Key': `parity-${workflowId}` });
    expect(started.status).toBe(202);
    const { runId } = started.body;

    // Assess: the step bundles brought it to a reviewer
    const pending = await pendingApprovalOf(rt, runId);
    expect(pending.reviewers.length).toBeGreaterThan(0);
    expect(pending).not.toHaveProperty('taskToken');

    // Act: reviewers approve, through the API with their tokens
    const { run, approved } = await approveUntilSettled(rt, runId);

    // Assess: delivered once, signed with the stage's secret (the receiver checks), and the run closed
    expect(approved.length).toBeGreaterThan(0);
    expect(run).toMatchObject({ status: 'delivered', delivery: { status: 'delivered' } });
    const deliveries = receiver.received.filter((r) => r.body.runId === runId);
    if (workflow.definition.steps.some((s) => s.kind === 'deliver' && s.knowledge)) {
      // A knowledge edit (kb-update): written by the workflow's own deliver bundle as a new version, posted nowhere.
      expect(deliveries).toHaveLength(0);
      expect(run.delivery).toMatchObject({ url: expect.stringMatching(/^knowledge:support\//), knowledge: { version: expect.any(Number) } });
      const { docId, version } = run.delivery.knowledge;
      const written = await api().get(`/knowledge/support/documents/${docId}/versions/${version}`);
      expect(written.body).toMatchObject({ runId, text: run.delivery.text });
    } else {
      expect(deliveries).toHaveLength(1);
      expect(deliveries[0]!.idempotencyKey).toBe(runId);
      expect(deliveries[0]!.body).toMatchObject({ workflowId, workflowVersion: run.workflowVersion, text: run.delivery.text });
    }
    expect(receiver.rejected).toBe(0);
    // …and its execution ends (the finish function counts the delivered run after the delivery).
    await vi.waitFor(async () => expect((await executionOf(workflowId, runId)).status).toBe('SUCCEEDED'), { timeout: 10_000 });
  });

  it('runs every function in a Node process of its own with exactly its template environment', async () => {
    const pids = new Set<number>();
    for (const f of rt.functions) {
      const { pid, startEnv: env, env: seenByCode } = await rt.bundles.describe(f.arn);
      pids.add(pid);
      const declared = templateVariables(f.logicalId);
      // A function that verifies ID tokens also gets the stand-in for its user pool's keys.
      const identityKeys = declared[ENV.authIssuer] ? [ENV.authJwksUrl] : [];
      expect(Object.keys(env).sort(), f.kind).toEqual([...Object.keys(declared), ...PLATFORM, ...identityKeys].sort());
      for (const leak of [CANARY, ENV.signingSecret]) expect(seenByCode).not.toHaveProperty(leak);
      expect(env).toMatchObject({ LAMBDA_TASK_ROOT: f.assetDir, AWS_LAMBDA_FUNCTION_NAME: f.logicalId });
      // Plain template values arrive as they are; references resolve to the local resources.
      for (const [name, value] of Object.entries(declared)) {
        const ref = (value as { Ref?: string }).Ref;
        const type = ref ? rt.template.Resources[ref]?.Type : undefined;
        if (typeof value === 'string') expect(env[name], `${f.kind} ${name}`).toBe(value.replace(/^\/var\/task(?=\/|$)/, f.assetDir));
        if (type === 'AWS::DynamoDB::Table') expect(env[name], `${f.kind} ${name}`).toBe(ref);
        if (type === 'AWS::SecretsManager::Secret') expect(env[name], `${f.kind} ${name}`).toMatch(new RegExp(`^arn:aws:secretsmanager:[^:]+:\\d{12}:secret:${ref}$`));
      }
      if (declared[ENV.publicUrl]) expect(env[ENV.publicUrl]).toBe(rt.url);
    }
    expect(pids.size).toBe(rt.functions.length);
    expect(pids.has(process.pid)).toBe(false);
  });

  it('reaches the functions no happy path calls: a rejection, an execution that ends outside its state machine, the schedules', async () => {
    // A single-draft approval (rfp-response's is multi-part: its form decides one part at a time).
    const workflow = workflows.find((w) => w.definition.id === 'support-reply')!;
    const path = `/webhooks/${workflow.definition.id}`;

    // A rejection, from the review page's form (a form body reaches the API bundle base64-encoded)
    const rejected = (await api().post(path, sampleInput(workflow.definition))).body.runId;
    const approval = await pendingApprovalOf(rt, rejected);
    const link = new URL((await api().get(`/approvals/${approval.approvalId}`)).body.reviewLinks[approval.reviewers[0]]).pathname;
    expect((await api().get(link)).status).toBe(200);
    const form = await api().form(link, { action: 'reject', draftHash: approval.draftHash, reasonCode: approval.reasons[0] });
    expect(form.status).toBe(200);
    expect((await waitForRun(rt, rejected, ['rejected'])).delivery).toBeUndefined();

    // An execution stopped from outside: the status-change rule's bundle ends the run
    const stopped = (await api().post(path, sampleInput(workflow.definition))).body.runId;
    await pendingApprovalOf(rt, stopped);
    await rt.engine.stopExecution((await executionOf(workflow.definition.id, stopped)).arn, 'Parity.Stop', 'stopped by the parity suite');
    expect((await waitForRun(rt, stopped, ['failed'])).error).toMatchObject({ error: 'Parity.Stop' });

    // The schedules (reminders, the decision reconciler, the audit checkpoint, the knowledge sync of
    // a prefix holding a PDF: its text comes out of the bundled PDF.js)
    const s3 = new S3Client({ endpoint: rt.emulators.s3Endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    await s3.send(new CreateBucketCommand({ Bucket: SYNC_BUCKET }));
    await s3.send(new PutObjectCommand({ Bucket: SYNC_BUCKET, Key: 'rfp/data-residency.pdf', Body: minimalPdf(['Customer data stays in the region chosen at sign-up.'], 'Data residency') }));
    const results = (await rt.runSchedules()) as Record<string, unknown>[];
    expect(results).toHaveLength(rt.functions.filter((f) => ['reminders', 'reconcile-decisions', 'audit-checkpoint', 'knowledge-sync'].includes(f.kind)).length);
    expect(results).toContainEqual(expect.objectContaining({ collection: 'rfp', from: SYNC_FROM, added: 1, skipped: 0 }));
    const { documents } = (await api().get('/knowledge/rfp/documents')).body as { documents: { docId: string; version: number; author: string }[] };
    const synced = documents.find((d) => d.docId === 'data-residency')!;
    expect(synced.author).toBe('knowledge-sync');
    expect((await api().get(`/knowledge/rfp/documents/data-residency/versions/${synced.version}`)).body.text).toBe('# Data residency\n\nCustomer data stays in the region chosen at sign-up.');
    expect(receiver.received.some((r) => r.body.runId === rejected || r.body.runId === stopped)).toBe(false);
  });

  it('publishes each function\'s metrics as EMF lines in its own log, as CloudWatch reads them', async () => {
    /** The EMF lines in `kind`'s log: metric name → the dimension values it was published with. */
    const emfOf = (kind: string) =>
      readFileSync(join(rt.logsDir, `${fn(kind).logicalId}.log`), 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('{"_aws"'))
        .map((line) => JSON.parse(line) as Record<string, unknown> & { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] } });
    const published = (kind: string, metric: string) =>
      emfOf(kind).filter((l) => l._aws.CloudWatchMetrics.some((m) => m.Namespace === METRICS_NAMESPACE && m.Metrics.some((x) => x.Name === metric)));
    const ids = workflows.map((w) => w.definition.id);
    await vi.waitFor(() => {
      // The API: a run started per webhook; reviewers' decisions, by action and reason code, with the time they took
      expect(new Set(published('api', WORKFLOW_METRICS.runsStarted).map((l) => l.Workflow))).toEqual(new Set(ids));
      const decisions = published('api', DECISION_METRICS.decisions);
      expect(decisions.some((l) => l.Action === 'approve' && typeof l[DECISION_METRICS.timeToDecision] === 'number')).toBe(true);
      expect(decisions.some((l) => l.Action === 'reject' && l.ReasonCode)).toBe(true);
      // The model steps: calls per provider, tokens per model
      expect(published('generate', PROVIDER_METRICS.calls).some((l) => l.Provider === 'offline')).toBe(true);
      expect(published('generate', USAGE_METRICS.inputTokens).some((l) => typeof l.Model === 'string' && (l[USAGE_METRICS.inputTokens] as number) > 0)).toBe(true);
      // The runs ended, counted by finish (delivered and rejected ones), stopped ones by the execution-status rule
      expect(published('finish', WORKFLOW_METRICS.runs).length).toBeGreaterThanOrEqual(ids.length);
      expect(published('execution-status', WORKFLOW_METRICS.runs).length).toBeGreaterThan(0);
    }, { timeout: 10_000 });
  });

  it('traces as Lambda does, unsampled here: no function writes a word about X-Ray or its segments', () => {
    // Active tracing in every template, a Lambda environment: each bundle's tracer is on and runs
    // its hooks; the local platform's trace header never samples (Sampled=0), so nothing is sent.
    for (const f of rt.functions) {
      const log = readFileSync(join(rt.logsDir, `${f.logicalId}.log`), 'utf8');
      expect(log.split('\n').filter((line) => /segment|X-Ray/i.test(line)), f.kind).toEqual([]);
    }
  });

  it("serves the console's pages from their own bundle: a run's timeline for a signed-in browser, sign-in for anyone else", async () => {
    const workflowId = workflows[0]!.definition.id;
    const { runs } = (await api().get(`/runs?workflowId=${workflowId}`)).body;
    const runId = runs[0].runId as string;
    // The session cookie carries the ID token itself (functions/auth/session-cookie.ts; http: no __Host- prefix).
    const session = { cookie: `handrail-session=${await rt.login('admin@example.com')}` };
    const list = await fetch(`${rt.url}/console/runs?workflowId=${workflowId}`, { headers: session });
    expect(list.status).toBe(200);
    expect(await list.text()).toContain(`/console/runs/${runId}`);
    const timeline = await fetch(`${rt.url}/console/runs/${runId}`, { headers: session });
    expect(timeline.status).toBe(200);
    expect(await timeline.text()).toContain('Timeline');
    expect((await fetch(`${rt.url}/console/dashboard?workflowId=${workflowId}`, { headers: session })).status).toBe(200);
    const anonymous = await fetch(`${rt.url}/console/runs`, { redirect: 'manual' });
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get('location')).toBe('/auth/login?returnTo=%2Fconsole%2Fruns');
  });

  it('serves the knowledge routes from their own bundle, the one that stores documents in S3', async () => {
    const collection = workflows.flatMap((w) => w.definition.steps.flatMap((s) => (s.kind === 'retrieve' ? [s.collection] : [])))[0]!;
    const invocations = (kind: string) => rt.bundles.list().find((e) => e.kind === kind)!.invocations;
    const [knowledgeBefore, apiBefore] = [invocations('knowledge'), invocations('api')];
    const { documents } = (await api().get(`/knowledge/${collection}/documents`)).body as { documents: { docId: string; version: number }[] };
    expect(documents.length).toBeGreaterThan(0);
    // The text comes back from the bucket, pinned by the version's S3 version id.
    const version = await api().get(`/knowledge/${collection}/documents/${documents[0]!.docId}/versions/${documents[0]!.version}`);
    expect(version.status).toBe(200);
    expect(version.body.text).toEqual(expect.stringContaining('#'));
    expect([invocations('knowledge') - knowledgeBefore, invocations('api') - apiBefore]).toEqual([2, 0]);
  });

  it('keeps one warm process per function: started once, every invocation reusing it', () => {
    const environments = rt.bundles.list();
    expect(environments.filter((e) => e.invocations === 0).map((e) => e.kind)).toEqual([]);
    for (const e of environments) expect(e, e.kind).toMatchObject({ starts: 1, pid: expect.any(Number) });
    expect(environments.find((e) => e.kind === 'api')!.invocations).toBeGreaterThan(10);
  });

  it('reports a function error as Lambda does: an Error named after its errorType', async () => {
    const failure = rt.bundles.invoke(fn('deliver').arn, { not: 'a step event' });
    await expect(failure).rejects.toMatchObject({ name: 'ValidationError', message: expect.stringContaining('"errorType":"ValidationError"') });
    expect(rt.bundles.list().find((e) => e.kind === 'deliver')).toMatchObject({ starts: 1 });
  });

  it('answers as API Gateway does where no function is reached', async () => {
    // The local runtime's own routes are not the template's
    expect(await api().get('/sink/support-reply')).toMatchObject({ status: 404, body: { message: 'Not Found' } });
    const oversized = await fetch(`${rt.url}/webhooks/${workflows[0]!.definition.id}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(10 * 1024 * 1024 + 1) });
    expect(oversized.status).toBe(413);
    expect(await oversized.json()).toEqual({ message: 'Request Entity Too Large' });
  });
});

describe('a stage with OpenAI, its OpenAiSecret as deployed (no key in it yet)', () => {
  const stage = 'parityopenai';
  const drafting = workflows.find((w) => w.definition.steps.some((s) => s.kind === 'generate' && s.models.some((m) => m.provider === 'openai')));
  let openai: Awaited<ReturnType<typeof startParity>> | undefined;
  beforeAll(async () => {
    if (drafting) openai = await startParity(stage, { [stage]: { providers: ['openai', 'offline'], openai: {} } });
  }, 180_000); // bundles every function first, as cdk deploy does
  afterAll(async () => {
    await openai?.runtime.stop();
    await openai?.signedReceiver.close();
  });

  // Found by this suite: with the deployed secret's apiKey still empty, openaiKey() finds it missing
  // only inside the call, and the gateway used to stop the chain there ("not_configured is not in its
  // fallbackOn"), sending every run to the human queue. It now skips OpenAI as when no key is set.
  (drafting ? it : it.skip)('skips OpenAI as not configured and drafts with the next model in the chain', async () => {
    const { runId } = (await client(openai!.runtime).post(`/webhooks/${drafting!.definition.id}`, sampleInput(drafting!.definition))).body;
    const run = await waitForRun(openai!.runtime, runId, ['awaiting_approval', 'needs_human', 'failed']);
    expect(run.error).toBeUndefined();
    expect(run.status).toBe('awaiting_approval');
    const draft = run.steps.find((s: { kind: string }) => s.kind === 'generate');
    expect(draft.attempts.find((a: { provider: string }) => a.provider === 'openai')).toMatchObject({ provider: 'openai', outcome: 'skipped', errorKind: 'not_configured', error: expect.stringContaining('has no apiKey yet') });
    expect(draft.provider).toBe('offline');
  });
});
