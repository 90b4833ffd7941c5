/** Test helpers: a local runtime in a temp folder, HTTP shortcuts, polling, a signed-webhook receiver. */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { signedWebhookHeaders } from '../../functions/triggers/standard-webhooks.js';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reviewerToken } from '../../functions/approvals/reviewer-tokens.js';
import { afterAll, beforeAll } from 'vitest';
import { startLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from '../../local/runtime.js';
import { getRun, type RunRecord, type RunStatus } from '../../functions/records/runs.js';

/** The collections of the test workflows (the shipped ones and tests/fixtures/*-workflows). */
export const TEST_COLLECTIONS_FILE = fileURLToPath(new URL('../fixtures/collections.yaml', import.meta.url));

export async function startTestRuntime(options: Partial<LocalRuntimeOptions> = {}): Promise<LocalRuntime> {
  return startLocalRuntime({ dataDir: mkdtempSync(join(tmpdir(), 'handrail-test-')), port: 0, collectionsFile: TEST_COLLECTIONS_FILE, ...options });
}

/**
 * One runtime for the tests of a file: started before them, stopped after them. Read it with the
 * returned function inside a test (it throws if the runtime is not up).
 *
 * @example
 * const runtime = runtimeForSuite();
 * it('…', async () => { await client(runtime()).get('/workflows'); });
 */
export function runtimeForSuite(options: Partial<LocalRuntimeOptions> = {}): () => LocalRuntime {
  let rt: LocalRuntime | undefined;
  beforeAll(async () => {
    rt = await startTestRuntime(options);
  }, 120_000);
  afterAll(async () => {
    await rt?.stop();
  });
  return () => {
    if (!rt) throw new Error('the suite runtime is not running');
    return rt;
  };
}

/** Who a test client signs in as: the runtime's admin by default, `null` for an anonymous caller. */
export const TEST_ADMIN = 'admin@example.com';
/** Per runtime (two runtimes one after the other may share a URL, not an issuer key), per user. */
const tokens = new WeakMap<TestRuntime, Map<string, Promise<string>>>();

/** An ID token from the runtime's embedded issuer for a user of the reviewer directory (cached per runtime and user). */
export function tokenOf(rt: TestRuntime, userId: string): Promise<string> {
  let ofRuntime = tokens.get(rt);
  if (!ofRuntime) tokens.set(rt, (ofRuntime = new Map()));
  let token = ofRuntime.get(userId);
  if (!token) {
    if (!rt.login) throw new Error('this runtime has no embedded issuer');
    token = rt.login(userId);
    ofRuntime.set(userId, token);
  }
  return token;
}

type TestRuntime = { url: string; login?: (userId: string) => Promise<string>; webhookSecret?: (workflowId: string) => string };

/** Standard Webhooks headers for a POST to one of the runtime's workflows, as its sender signs it (none for an unknown workflow). */
function triggerSignature(rt: TestRuntime, method: string, path: string, body: string | undefined, headers: Record<string, string>): Record<string, string> {
  const workflowId = method === 'POST' ? /^\/webhooks\/([^/?]+)$/.exec(path)?.[1] : undefined;
  if (!workflowId || !rt.webhookSecret || Object.keys(headers).some((h) => h.toLowerCase() === 'webhook-signature')) return {};
  try {
    return signedWebhookHeaders(rt.webhookSecret(decodeURIComponent(workflowId)), `msg_${randomUUID()}`, body ?? '');
  } catch {
    return {};
  }
}

/**
 * HTTP shortcuts against a runtime, posting to a workflow's webhook as its sender (signed with the
 * workflow's secret unless the call brings its own `webhook-signature`), signed in as `as` (a user of the reviewer directory; default the
 * admin) with an ID token from its embedded issuer, or anonymous (`as: null`). An explicit
 * `authorization` header wins.
 */
export function client(rt: TestRuntime, { as = TEST_ADMIN }: { as?: string | null } = {}) {
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const signIn: Record<string, string> = as && rt.login && !Object.keys(headers).some((h) => h.toLowerCase() === 'authorization') ? { authorization: `Bearer ${await tokenOf(rt, as)}` } : {};
    const sent = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const res = await fetch(`${rt.url}${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...signIn, ...triggerSignature(rt, method, path, sent, headers), ...headers },
      body: sent,
    });
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, body: json, text };
  };
  return {
    get: (path: string) => call('GET', path),
    post: (path: string, body?: unknown, headers?: Record<string, string>) => call('POST', path, body, headers),
    form: async (path: string, fields: Record<string, string>) => {
      const res = await fetch(`${rt.url}${path}`, { method: 'POST', body: new URLSearchParams(fields) });
      return { status: res.status, text: await res.text() };
    },
  };
}

export async function waitFor<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Polls GET /runs/{runId} until the run reaches one of `statuses`; returns the run view. */
/**
 * Waits for a run's record to reach a status. Read from the runs table of the runtime running in
 * this process, not polled through the API: dozens of runs polled at once would exceed the API's
 * per-caller request limit.
 */
export function runRecordReaching(runId: string, statuses: RunStatus[]): Promise<RunRecord> {
  return waitFor(async () => {
    const run = await getRun(runId);
    return run && statuses.includes(run.status) && run;
  }, `run ${runId} to reach ${statuses.join('|')}`);
}

export function waitForRun(rt: TestRuntime, runId: string, statuses: string[]): Promise<any> {
  return waitFor(async () => {
    const run = await client(rt).get(`/runs/${runId}`);
    return statuses.includes(run.body?.status) && run.body;
  }, `run ${runId} to reach ${statuses.join('|')}`);
}

/** Polls GET /runs/{runId} until the run awaits a pending approval; returns that approval. */
export function pendingApprovalOf(rt: TestRuntime, runId: string): Promise<any> {
  return waitFor(async () => {
    const run = await client(rt).get(`/runs/${runId}`);
    return run.body?.status === 'awaiting_approval' && run.body.approvals.find((a: any) => a.status === 'pending');
  }, `a pending approval on ${runId}`);
}

export interface Received {
  body: any;
  idempotencyKey: string | undefined;
}

/** A signed receiver's URL, what it accepted and how many calls it refused (startSignedReceiver). */
export interface SignedReceiver {
  readonly url: string;
  readonly received: Received[];
  readonly rejected: number;
  close(): Promise<void>;
  setStatus(s: number): void;
}

/**
 * A webhook receiver that checks the Standard Webhooks signature itself, as a customer's would
 * (written here from the specification, not with Handrail's code): HMAC-SHA256 over
 * `{webhook-id}.{webhook-timestamp}.{body}` with the key's bytes, any `v1,` entry, five minutes' tolerance.
 */
export async function startSignedReceiver(secret: string, status = 200): Promise<SignedReceiver> {
  const state = { received: [] as Received[], rejected: 0, status };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const id = String(req.headers['webhook-id'] ?? '');
      const ts = String(req.headers['webhook-timestamp'] ?? '');
      const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
      const expected = createHmac('sha256', key).update(`${id}.${ts}.${raw}`).digest();
      const signed = String(req.headers['webhook-signature'] ?? '')
        .split(' ')
        .map((entry) => entry.split(','))
        .some(([version, value]) => {
          const given = Buffer.from(value ?? '', 'base64');
          return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
        });
      if (!id || !signed || Math.abs(Date.now() / 1000 - Number(ts)) > 300) {
        state.rejected++;
        res.writeHead(401).end();
        return;
      }
      if (state.status < 300) state.received.push({ body: JSON.parse(raw), idempotencyKey: req.headers['idempotency-key'] as string | undefined });
      res.writeHead(state.status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/support`,
    get received() {
      return state.received;
    },
    get rejected() {
      return state.rejected;
    },
    setStatus: (s: number) => {
      state.status = s;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A file's runtime and the signed receiver its workflow delivers to (deliveringSuite). */
export interface DeliveringSuite {
  readonly rt: LocalRuntime;
  readonly receiver: SignedReceiver;
}

/**
 * One runtime for the tests of a file and a signed receiver its workflow delivers to (its URL set
 * as `urlVariable`, e.g. SUPPORT_REPLY_URL): started before the tests, stopped after them. Read
 * `rt` and `receiver` inside a test (they throw before the suite has started).
 *
 * @example
 * const suite = deliveringSuite('SUPPORT_REPLY_URL');
 * it('…', async () => { expect(suite.receiver.received).toHaveLength(0); });
 */
export function deliveringSuite(urlVariable: string, options: Partial<LocalRuntimeOptions> = {}): DeliveringSuite {
  const runtime = runtimeForSuite(options);
  let receiver: SignedReceiver | undefined;
  beforeAll(async () => {
    receiver = await startSignedReceiver(runtime().deliverySecret);
    process.env[urlVariable] = receiver.url;
  });
  afterAll(async () => {
    await receiver?.close();
  });
  return {
    get rt() {
      return runtime();
    },
    get receiver() {
      if (!receiver) throw new Error('the suite receiver is not running');
      return receiver;
    },
  };
}

/** Decides an approval through the API as `reviewer`, quoting the draft hash it was shown. */
export function decideAs(
  rt: { url: string; signingSecret: string },
  approval: { approvalId: string; draftHash: string },
  reviewer: string,
  decision: { action: 'approve' | 'edit' | 'reject'; text?: string; reasonCode?: string; reason?: string; draftHash?: string },
) {
  return client(rt).post(
    `/approvals/${approval.approvalId}/decision`,
    { draftHash: approval.draftHash, ...decision },
    { authorization: `Bearer ${reviewerToken(rt.signingSecret, reviewer)}` },
  );
}
