/**
 * Kill -9 at random points: `npm start` runs as a child process on one data dir while webhooks
 * and decisions arrive concurrently; it is SIGKILLed at seeded random moments (during intake,
 * drafting, pending approvals and decisions alike) and started again on the same data dir. Then
 * every run must reach a final state, every decision acknowledged with 200 must be honoured, and
 * no run may be delivered twice (the receiver counts deliveries per runId).
 *
 * A kill in the few milliseconds between the receiver's 2xx and the run record saying so makes the
 * restarted deliver step send again: the same delivery (same Idempotency-Key, the runId, and the
 * same text), which a receiver that honours Idempotency-Key takes once. Those are counted apart
 * (`replayedDeliveries`); a second delivery with another key or text is a duplicate.
 *
 * Used by `npm run crash` (figures for many runs) and by a small seeded run in the test suite.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { reviewerToken } from '../functions/approvals/reviewer-tokens.js';
import { signedWebhookHeaders } from '../functions/triggers/standard-webhooks.js';
import { killChild, startChildRuntime, type ChildRuntime } from './child-runtime.js';
import { startSignedReceiver } from '../tests/support/local-runtime.js';

export interface CrashOptions {
  readonly runs: number;
  readonly kills: number;
  readonly seed: number;
  /** Requests in flight at once. @default 16 */
  readonly concurrency?: number;
  /**
   * How long to wait for every run to end after the last restart. A decision whose resume was
   * deferred is sent by the reconciler's sweep (every minute, for decisions older than two), so
   * this must outlast that. @default 240 s
   */
  readonly settleMs?: number;
}

export interface CrashReport {
  readonly seed: number;
  readonly runs: number;
  readonly kills: number;
  readonly killedAtMs: number[];
  readonly statuses: Record<string, number>;
  /** Decisions the API acknowledged with 200. */
  readonly acknowledged: number;
  /** Acknowledged decisions whose run did not end the way the decision said. */
  readonly dishonoured: { runId: string; action: string; status: string }[];
  /** runIds delivered more than once as different deliveries (another Idempotency-Key or text). */
  readonly duplicateDeliveries: string[];
  /** Same-key re-sends of a delivery cut off by a kill before it was recorded (absorbed by Idempotency-Key). */
  readonly replayedDeliveries: number;
  /** Runs not in a final state when the scenario gave up waiting, with their approvals and audit trail. */
  readonly unfinished: { runId: string; status: string; approvals?: unknown[]; audit?: string[] }[];
  readonly seconds: number;
}

const FINAL = new Set(['delivered', 'completed', 'rejected', 'approval_timed_out', 'delivery_failed', 'needs_human', 'failed']);

/** mulberry32: a small seeded generator, so a failing scenario can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ticket = (i: number) => ({
  ticketId: `C-${i}`,
  subject: i % 4 ? 'Refund for my annual plan' : 'Cannot log in after enabling 2FA',
  body: 'Hello, I need help with my account. What are my options and how long does it take?',
  customerEmail: `customer${i}@example.com`,
});

export async function runCrashScenario(options: CrashOptions): Promise<CrashReport> {
  const started = Date.now();
  const rand = random(options.seed);
  const concurrency = options.concurrency ?? 16;
  const dataDir = mkdtempSync(join(tmpdir(), 'handrail-crash-'));
  let current: ChildRuntime | undefined;
  let receiver: Awaited<ReturnType<typeof startSignedReceiver>> | undefined;
  const runIds = new Map<number, string>(); // ticket index → runId, once a webhook got 202
  const decisions = new Map<string, { runId: string; action: 'approve' | 'reject' }>(); // approvalId → 200-acknowledged decision
  const killedAtMs: number[] = [];
  try {
    // The first start makes the stage's secrets; the receiver checks delivery signatures with the delivery key.
    // The harness polls the inbox and runs as one admin and decides as few reviewers, far past their
    // request limits: the runtime runs the bench's stage, whose limits are out of reach (bench/stages.yaml).
    const stages = { HANDRAIL_STAGES_FILE: fileURLToPath(new URL('./stages.yaml', import.meta.url)) };
    current = await startChildRuntime(dataDir, stages);
    const secret = readFileSync(join(dataDir, 'signing-secret'), 'utf8').trim();
    receiver = await startSignedReceiver(readFileSync(join(dataDir, 'delivery-secret'), 'utf8').trim());
    await killChild(current.child);
    const env = { ...stages, SUPPORT_REPLY_URL: receiver.url };
    current = await startChildRuntime(dataDir, env);

    // The scenario reads runs and the whole inbox as the directory's admin (decisions carry the reviewer's token).
    const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
      const admin = `Bearer ${await current!.login('admin@example.com')}`;
      const res = await fetch(`${current!.url}${path}`, {
        method,
        headers: {
          ...(body ? { 'content-type': 'application/json' } : {}),
          authorization: admin,
          // Each attempt is a new message of the sender's (its own webhook-id); the Idempotency-Key keeps one run.
          ...(path.startsWith('/webhooks/') ? signedWebhookHeaders(current!.webhookSecret('support-reply'), `msg_${randomUUID()}`, JSON.stringify(body)) : {}),
          ...headers,
        },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(10_000),
      });
      return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
    };

    let stop = false;
    // Intake: every ticket until it has a 202 (same Idempotency-Key on every retry).
    const intake = async () => {
      for (;;) {
        const missing = [...Array(options.runs).keys()].filter((i) => !runIds.has(i));
        if (!missing.length || stop) return;
        let next = 0;
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (next < missing.length && !stop) {
              const i = missing[next++]!;
              try {
                const res = await call('POST', '/webhooks/support-reply', ticket(i), { 'idempotency-key': `crash-${options.seed}-${i}` });
                if (res.status === 202) runIds.set(i, res.body.runId);
              } catch {
                await new Promise((r) => setTimeout(r, 50)); // the runtime is down: try again later
              }
            }
          }),
        );
      }
    };
    // Decisions: whatever is pending, by one of its reviewers; 1 in 5 rejected.
    const decide = async () => {
      while (!stop) {
        try {
          const page = await call('GET', '/approvals?status=pending&limit=100');
          const pending = (page.body?.approvals ?? []).filter((a: any) => !decisions.has(a.approvalId));
          if (!pending.length) await new Promise((r) => setTimeout(r, 50));
          let next = 0;
          await Promise.all(
            Array.from({ length: concurrency }, async () => {
              while (next < pending.length && !stop) {
                const a = pending[next++];
                const action = rand() < 0.2 ? 'reject' : 'approve';
                const body = { action, draftHash: a.draftHash, ...(action === 'reject' ? { reasonCode: a.reasons?.[0] ?? 'other', reason: 'crash test' } : {}) };
                const res = await call('POST', `/approvals/${a.approvalId}/decision`, body, { authorization: `Bearer ${reviewerToken(secret, a.reviewers[0])}` });
                if (res.status === 200) decisions.set(a.approvalId, { runId: a.runId, action });
              }
            }),
          );
        } catch {
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };

    const work = Promise.all([intake(), decide()]);
    for (let k = 0; k < options.kills; k++) {
      const after = 300 + Math.floor(rand() * 1500);
      await new Promise((r) => setTimeout(r, after));
      killedAtMs.push(Date.now() - started);
      await killChild(current.child);
      current = await startChildRuntime(dataDir, env);
    }

    // Settle: the last runtime lives until every run has ended.
    const deadline = Date.now() + (options.settleMs ?? 240_000);
    let runs: { runId: string; status: string }[] = [];
    for (;;) {
      runs = [];
      let cursor: string | undefined;
      do {
        const page = await call('GET', `/runs?workflowId=support-reply&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        runs.push(...(page.body?.runs ?? []));
        cursor = page.body?.nextCursor;
      } while (cursor);
      const done = runIds.size === options.runs && runs.length >= options.runs && runs.every((r) => FINAL.has(r.status));
      if (done || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    stop = true;
    await work;
    // What an unfinished run looked like, to tell why.
    const unfinished = [];
    for (const r of runs.filter((run) => !FINAL.has(run.status))) {
      const view = (await call('GET', `/runs/${r.runId}`)).body;
      unfinished.push({
        runId: r.runId,
        status: r.status,
        approvals: (view?.approvals ?? []).map((a: any) => ({ approvalId: a.approvalId, status: a.status, decidedAt: a.decision?.decidedAt, requestedAt: a.requestedAt })),
        audit: (view?.audit ?? []).map((e: any) => `${e.at} ${e.type}${e.details?.resumed ? ` (${e.details.resumed})` : ''}`),
        acknowledged: [...decisions].filter(([, d]) => d.runId === r.runId).map(([id, d]) => `${id} ${d.action}`),
      });
    }
    await new Promise((r) => setTimeout(r, 500)); // room for a late duplicate delivery to show up

    const byRun = new Map(runs.map((r) => [r.runId, r.status]));
    const statuses: Record<string, number> = {};
    for (const status of byRun.values()) statuses[status] = (statuses[status] ?? 0) + 1;
    const deliveries = new Map<string, Set<string>>(); // runId → distinct (Idempotency-Key, text)
    for (const r of receiver.received) {
      const seen = deliveries.get(r.body.runId) ?? new Set<string>();
      seen.add(JSON.stringify([r.idempotencyKey, r.body.text]));
      deliveries.set(r.body.runId, seen);
    }
    const expected = { approve: 'delivered', reject: 'rejected' } as const;
    return {
      seed: options.seed,
      runs: options.runs,
      kills: options.kills,
      killedAtMs,
      statuses,
      acknowledged: decisions.size,
      dishonoured: [...decisions.values()]
        .filter((d) => byRun.get(d.runId) !== expected[d.action])
        .map((d) => ({ runId: d.runId, action: d.action, status: byRun.get(d.runId) ?? 'missing' })),
      duplicateDeliveries: [...deliveries].filter(([, distinct]) => distinct.size > 1).map(([runId]) => runId),
      replayedDeliveries: receiver.received.length - deliveries.size,
      unfinished,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
  } finally {
    if (current) await killChild(current.child);
    await receiver?.close();
    // CRASH_KEEP_DATA keeps the data dir (journal, tables) for a post-mortem.
    if (process.env.CRASH_KEEP_DATA) console.error(`crash scenario data kept in ${dataDir}`);
    else rmSync(dataDir, { recursive: true, force: true });
  }
}
