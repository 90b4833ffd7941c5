/**
 * `npm run bench`: drives the support-reply workflow on the local runtime with the offline provider
 * and prints one JSON line: throughput from webhook to pending approval (runsPerSecond) and from
 * decision to delivered (decisionsPerSecond: the decisions sent over the time until the last of
 * them was delivered), the latencies of each, the CPU each thread spent and the requests the
 * emulators served per run and per decision, and the machine's speed at the time (calibrationMs).
 * The HTTP client runs on its own thread (client-worker.mjs), as an external caller would.
 * BENCH_RUNS (default 2000), BENCH_WARM (runs through both paths before measuring, default 1000) and
 * BENCH_CONCURRENCY (default 32) tune the load; BENCH_TOP (default 4) is how many threads the CPU
 * figures name one by one (thread-cpu.ts), the rest summed as `otherThreads`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { reviewerToken } from '../functions/approvals/reviewer-tokens.js';
import { startLocalRuntime } from '../local/runtime.js';
import { percentile } from './load.js';
import { calibrationMs } from './calibration.js';
import { requestsPer } from './requests-per.js';
import { cpuPer, threadTimes } from './thread-cpu.js';

const runs = Number(process.env.BENCH_RUNS ?? 2000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const warmRuns = Number(process.env.BENCH_WARM ?? 1000);
const threadsNamed = Number(process.env.BENCH_TOP ?? 4);
const now = () => performance.timeOrigin + performance.now();

// The machine's speed now, measured before anything else runs in this process (calibration.ts).
const calibration = calibrationMs();

// One sender and one reviewer drive the whole load: the bench's stage raises their request limits (bench/stages.yaml).
process.env.HANDRAIL_STAGES_FILE ||= fileURLToPath(new URL('./stages.yaml', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'handrail-bench-'));
const runtime = await startLocalRuntime({ dataDir, port: 0, env: { HANDRAIL_PROVIDERS: 'offline', POWERTOOLS_LOG_LEVEL: 'ERROR' } });

const pendingAt = new Map<string, number>();
const closed = new Map<string, { at: number; status: string }>();
const runIdOf = (executionArn: string) => executionArn.split(':').pop()!;
runtime.engine.on('taskTokenIssued', (e) => pendingAt.set(runIdOf(e.executionArn), now()));
runtime.engine.on('executionClosed', (e) => closed.set(runIdOf(e.executionArn), { at: now(), status: e.status }));

const client = new Worker(new URL('./client-worker.mjs', import.meta.url), { workerData: { url: runtime.url, concurrency, reviewerToken: reviewerToken(runtime.signingSecret, 'support-agent@example.com'), webhookSecret: runtime.webhookSecret('support-reply') }, execArgv: [] });
function ask(message: unknown): Promise<{ runId: string; at: number; draftHash?: string }[]> {
  return new Promise((resolve, reject) => {
    client.once('message', (reply: { type: string; sent?: { runId: string; at: number; draftHash?: string }[]; message?: string }) =>
      reply.type === 'done' ? resolve(reply.sent!) : reject(new Error(reply.message)),
    );
    client.postMessage(message);
  });
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

// Warm-up, both paths: load handler modules, build the retrieval index, open connections, and let
// V8 compile the hot code (until it has, its compiler threads take a third of a run's CPU: the
// steady state a running server is in is what the figures are of).
const warm = await ask({ type: 'webhooks', count: warmRuns, offset: -warmRuns - 1 });
await waitUntil(() => warm.every(({ runId }) => pendingAt.has(runId)), 300_000);
const warmPending = warm.map(({ runId }) => runId).filter((id) => pendingAt.has(id));
await ask({ type: 'decisions', opened: await ask({ type: 'open', runIds: warmPending }) });
await waitUntil(() => warmPending.every((id) => closed.has(id)), 300_000);

// Phase 1: webhook → pending approval.
const cpu0 = threadTimes();
const requests0 = await runtime.emulators.requests();
const t0 = now();
const started = new Map((await ask({ type: 'webhooks', count: runs, offset: 0 })).map(({ runId, at }) => [runId, at]));
await waitUntil(() => [...started.keys()].every((id) => pendingAt.has(id) || closed.has(id)), 300_000);
const pendingIds = [...started.keys()].filter((id) => pendingAt.has(id));
const lastPending = Math.max(...pendingIds.map((id) => pendingAt.get(id)!));
const toPending = pendingIds.map((id) => pendingAt.get(id)! - started.get(id)!);

// Phase 2: decision → delivered. Reviewers open their requests first, untimed (a reviewer reads
// the draft before deciding): the phase measures the decisions and what they set going.
const opened = await ask({ type: 'open', runIds: pendingIds });
const cpu1 = threadTimes();
const requests1 = await runtime.emulators.requests();
const decided = new Map((await ask({ type: 'decisions', opened })).map(({ runId, at }) => [runId, at]));
await waitUntil(() => pendingIds.every((id) => closed.has(id)), 300_000);
const delivered = pendingIds.filter((id) => closed.get(id)?.status === 'SUCCEEDED');
const toDelivered = delivered.map((id) => closed.get(id)!.at - decided.get(id)!);
const firstDecision = Math.min(...decided.values());
const lastDelivered = Math.max(...delivered.map((id) => closed.get(id)!.at));
const cpu2 = threadTimes();
const requests2 = await runtime.emulators.requests();

console.log(
  JSON.stringify({
    workflow: 'support-reply',
    provider: 'offline',
    calibrationMs: calibration,
    concurrency,
    warmRuns,
    runsAttempted: runs,
    runsPending: pendingIds.length,
    runsDelivered: delivered.length,
    runsPerSecond: Math.round((pendingIds.length / ((lastPending - t0) / 1000)) * 10) / 10,
    decisionsPerSecond: Math.round((delivered.length / ((lastDelivered - firstDecision) / 1000)) * 10) / 10,
    webhookToPendingMs: { p50: percentile(toPending, 50), p95: percentile(toPending, 95) },
    decisionToDeliveredMs: { p50: percentile(toDelivered, 50), p95: percentile(toDelivered, 95) },
    // CPU time per run (per decision) by thread: the busiest thread bounds the throughput.
    cpuMsPerRun: cpuPer(cpu0, cpu1, pendingIds.length, threadsNamed),
    cpuMsPerDecision: cpuPer(cpu1, cpu2, delivered.length, threadsNamed),
    // Requests the emulators served per run (per decision): the write path each costs.
    requestsPerRun: requestsPer(requests0, requests1, pendingIds.length),
    requestsPerDecision: requestsPer(requests1, requests2, delivered.length),
  }),
);
await client.terminate();
await runtime.stop();
rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
