/**
 * Property: no request makes the API answer 5xx. Drives the real HTTP API of a local runtime with
 * seeded fast-check requests over every route (see tests/support/fuzz-requests.ts), eight at a
 * time; every refusal must be a 4xx JSON error (or the HTML page of /review and /inbox), and the
 * API must still serve the inbox, approvals and runs afterwards.
 *
 * FUZZ_RUNS (default 2,000 requests: the suite's seeded sample) and FUZZ_SEED pick the run: `npm run fuzz` sends 30,000.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { signedWebhookHeaders } from '../../functions/triggers/standard-webhooks.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewerToken } from '../../functions/approvals/reviewer-tokens.js';
import { slackSignature } from '../../functions/notifications/slack-signature.js';
import { signReviewToken } from '../../functions/shared/review-link.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { requestArb, type FuzzRequest, type FuzzTargets } from '../support/fuzz-requests.js';
import { client, startTestRuntime, waitFor } from '../support/local-runtime.js';

const REQUESTS = Number(process.env.FUZZ_RUNS ?? 2_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20_260_421);
const BATCH = 8;
const SLACK_SECRET = 'fuzz-slack-signing-secret';
const STAGES_FILE = process.env.HANDRAIL_STAGES_FILE;

let rt: LocalRuntime;
let targets: FuzzTargets;

beforeAll(async () => {
  // Thousands of requests from one address and three people: limits out of reach, so every request reaches its handler.
  process.env.HANDRAIL_STAGES_FILE = 'tests/fixtures/stages/unthrottled.yaml';
  rt = await startTestRuntime({ env: { SLACK_SIGNING_SECRET: SLACK_SECRET } });
  const api = client(rt);
  const runIds: string[] = [];
  for (const id of ['F-1', 'F-2']) {
    const res = await api.post('/webhooks/support-reply', { ticketId: id, subject: 'Export', body: 'Can I export my data?' }, { 'idempotency-key': `setup-${id}` });
    runIds.push(res.body.runId);
  }
  const approval = await waitFor(async () => {
    const pending = (await api.get('/approvals?status=pending')).body?.approvals?.[0];
    return pending && (await api.get(`/approvals/${pending.approvalId}`)).body;
  }, 'a pending approval');
  const reviewer: string = approval.reviewers[0];
  const page = await api.get('/runs?limit=1');
  targets = {
    approvalId: approval.approvalId,
    draftHash: approval.draftHash,
    runId: runIds[0]!,
    reviewerToken: reviewerToken(rt.signingSecret, reviewer),
    idTokens: await Promise.all(['admin@example.com', 'author@example.com', 'auditor@example.com'].map((user) => rt.login(user))),
    reviewToken: String(approval.reviewLinks[reviewer]).split('/review/')[1]!,
    inboxToken: signReviewToken(rt.signingSecret, { approvalId: '*', reviewer, expiresAt: Math.floor(Date.now() / 1000) + 3600 }),
    validCursor: page.body.nextCursor,
  };
  expect(targets.validCursor).toBeTruthy();
}, 120_000);

afterAll(async () => {
  await rt?.stop();
  process.env.HANDRAIL_STAGES_FILE = STAGES_FILE;
});

function bodyOf(req: FuzzRequest, headers: Record<string, string>): RequestInit['body'] {
  const b = req.body;
  if (req.method === 'GET' || req.method === 'HEAD' || b.kind === 'none') return undefined;
  if (b.kind === 'text') return b.text;
  if (b.kind === 'bytes') return b.bytes;
  if (b.kind === 'repeat') return `${b.prefix}${b.unit.repeat(Math.ceil(b.size / b.unit.length))}${b.suffix}`;
  if (b.kind === 'signed-sink') {
    Object.assign(headers, signedWebhookHeaders(rt.deliverySecret, `msg_${randomUUID()}`, b.text));
    return b.text;
  }
  const raw = b.kind === 'slack-form' ? b.form : `payload=${encodeURIComponent(b.payload)}`;
  const ts = String(Math.floor(Date.now() / 1000));
  headers['x-slack-request-timestamp'] = ts;
  headers['x-slack-signature'] = b.signed ? slackSignature(SLACK_SECRET, ts, raw) : `v0=${'0'.repeat(64)}`;
  return raw;
}

interface Answer {
  readonly status: number;
  readonly problem?: string;
}

async function send(req: FuzzRequest): Promise<Answer> {
  const headers = { ...req.headers };
  const body = bodyOf(req, headers);
  // Most calls to a workflow's webhook are signed by its sender, so the fuzz reaches the input rules
  // behind the signature check; those keyed fuzz-3 stay unsigned (401).
  const workflowId = req.method === 'POST' ? /^\/webhooks\/(support-reply)$/.exec(req.path)?.[1] : undefined;
  if (workflowId && headers['idempotency-key'] !== 'fuzz-3') {
    const raw = typeof body === 'string' ? body : body instanceof Uint8Array ? Buffer.from(body).toString('utf8') : '';
    Object.assign(headers, signedWebhookHeaders(rt.webhookSecret(workflowId), `msg_${randomUUID()}`, raw));
  }
  let res: Response;
  try {
    res = await fetch(`${rt.url}${req.path}`, { method: req.method, headers, body });
  } catch (err) {
    return { status: 0, problem: `no answer: ${(err as Error).message} (${String((err as Error).cause ?? '')})` };
  }
  const text = await res.text();
  if (res.status >= 500) return { status: res.status, problem: `${res.status}: ${text.slice(0, 300)}` };
  if (res.status < 400 || req.method === 'HEAD') return { status: res.status };
  // Node's HTTP server refuses a request line and headers over 16 KB before the app sees them.
  if (res.status === 431) return { status: res.status };
  if (/^\/(review|inbox)\//.test(req.path) && /text\/html/.test(res.headers.get('content-type') ?? '')) return { status: res.status };
  try {
    const error = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error;
    if (typeof error?.code === 'string' && typeof error.message === 'string') return { status: res.status };
  } catch {
    // reported below
  }
  return { status: res.status, problem: `${res.status} without a JSON error: ${text.slice(0, 200)}` };
}

const describeRequest = (r: FuzzRequest) => `${r.method} ${r.path.slice(0, 200)} ${JSON.stringify(r.headers).slice(0, 200)} body=${JSON.stringify(r.body).slice(0, 300)}`;

describe(`fuzzing the HTTP API (${REQUESTS} requests, seed ${SEED})`, () => {
  it('never answers 5xx, and refuses with 4xx errors in the documented shape', async () => {
    const statuses = new Map<number, number>();
    const started = Date.now();
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(requestArb(targets), { minLength: BATCH, maxLength: BATCH }), async (batch) => {
          const answers = await Promise.all(batch.map(send));
          answers.forEach((a) => statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1));
          const bad = answers.flatMap((a, i) => (a.problem ? [`${a.problem}\n  for ${describeRequest(batch[i]!)}`] : []));
          if (bad.length) throw new Error(bad.join('\n'));
        }),
        { seed: SEED, numRuns: Math.ceil(REQUESTS / BATCH), endOnFailure: false, interruptAfterTimeLimit: 600_000 },
      );
    } catch (err) {
      console.error(`API fuzz failed with seed ${SEED} (FUZZ_SEED=${SEED} FUZZ_RUNS=${REQUESTS} to replay)`);
      throw err;
    }
    const seconds = (Date.now() - started) / 1000;
    const sent = [...statuses.values()].reduce((a, b) => a + b, 0);
    console.log(`API fuzz: ${sent} requests in ${seconds.toFixed(1)} s (seed ${SEED}); statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
    expect([...statuses.keys()].filter((s) => s >= 500 || s === 0)).toEqual([]);
  }, 900_000);

  it('still serves the inbox, the approvals and the runs afterwards', async () => {
    const api = client(rt);
    expect((await api.get('/approvals')).status).toBe(200);
    expect((await api.get('/runs')).status).toBe(200);
    const inbox = await api.get(`/inbox/${targets.inboxToken}`);
    expect(inbox.status).toBe(200);
    expect(inbox.text).toContain('Waiting for');
  });
});
