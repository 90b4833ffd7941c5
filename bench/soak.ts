/**
 * `npm run soak`: memory under sustained load. Runs the support-reply workflow on the local runtime
 * (offline provider) in batches, webhook → pending approval → decision → delivered, and reports the
 * process's RSS (after a full GC) once 1,000 runs have completed and again at the end, as one JSON
 * line. Exits 1 if RSS at the end is more than 1.5x RSS after 1,000 runs.
 * SOAK_RUNS (default 10000), SOAK_BATCH (default 500) and SOAK_CONCURRENCY (default 32) tune it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { reviewerToken } from '../functions/approvals/reviewer-tokens.js';
import { startLocalRuntime } from '../local/runtime.js';

const total = Number(process.env.SOAK_RUNS ?? 10_000);
const batch = Number(process.env.SOAK_BATCH ?? 500);
const concurrency = Number(process.env.SOAK_CONCURRENCY ?? 32);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run soak does)');

const dataDir = mkdtempSync(join(tmpdir(), 'handrail-soak-'));
// One sender and one reviewer drive the whole load: the bench's stage raises their request limits (bench/stages.yaml).
process.env.HANDRAIL_STAGES_FILE ||= fileURLToPath(new URL('./stages.yaml', import.meta.url));
const runtime = await startLocalRuntime({ dataDir, port: 0, env: { HANDRAIL_PROVIDERS: 'offline', POWERTOOLS_LOG_LEVEL: 'ERROR' } });

let pending = new Set<string>();
let closed = new Set<string>();
const runIdOf = (executionArn: string) => executionArn.split(':').pop()!;
runtime.engine.on('taskTokenIssued', (e) => pending.add(runIdOf(e.executionArn)));
runtime.engine.on('executionClosed', (e) => closed.add(runIdOf(e.executionArn)));

const client = new Worker(new URL('./client-worker.mjs', import.meta.url), {
  workerData: { url: runtime.url, concurrency, reviewerToken: reviewerToken(runtime.signingSecret, 'support-agent@example.com'), webhookSecret: runtime.webhookSecret('support-reply') },
  execArgv: [],
});
function ask(message: unknown): Promise<{ runId: string }[]> {
  return new Promise((resolve, reject) => {
    client.once('message', (reply: { type: string; sent?: { runId: string }[]; message?: string }) => (reply.type === 'done' ? resolve(reply.sent!) : reject(new Error(reply.message))));
    client.postMessage(message);
  });
}
async function waitUntil(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 300_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`soak: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const mb = (bytes: number) => Math.round(bytes / 1048576);
const memory = async () => {
  gc!();
  gc!();
  const emulators = await runtime.emulators.memory();
  const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
  // RSS also counts the database files LevelDB maps into memory (file-backed pages the OS can drop).
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: mb(rss), rssAnonMb: Math.round(kb('RssAnon') / 1024), rssFileMb: Math.round(kb('RssFile') / 1024), heapMb: mb(heapUsed), heapTotalMb: mb(heapTotal), externalMb: mb(external), emulatorHeapMb: mb(emulators.heapUsed) };
};

const samples: ({ completed: number } & Awaited<ReturnType<typeof memory>>)[] = [];
const started = performance.now();
let completed = 0;
let delivered = 0;
while (completed < total) {
  const size = Math.min(batch, total - completed);
  pending = new Set();
  closed = new Set();
  const runIds = (await ask({ type: 'webhooks', count: size, offset: completed })).map((r) => r.runId);
  await waitUntil(() => runIds.every((id) => pending.has(id) || closed.has(id)), 'pending approvals');
  const waiting = runIds.filter((id) => pending.has(id) && !closed.has(id));
  await ask({ type: 'decisions', runIds: waiting });
  await waitUntil(() => runIds.every((id) => closed.has(id)), 'runs to end');
  delivered += waiting.length;
  const before = completed;
  completed += size;
  if ((before < 1000 && completed >= 1000) || completed >= total || completed % 1000 === 0) samples.push({ completed, ...(await memory()) });
}
const seconds = (performance.now() - started) / 1000;
const first = samples.find((s) => s.completed >= 1000)!;
const last = samples.at(-1)!;
const ratio = Math.round((last.rssMb / first.rssMb) * 100) / 100;
console.log(JSON.stringify({ workflow: 'support-reply', runs: completed, delivered, runsPerSecond: Math.round((completed / seconds) * 10) / 10, samples, rssRatio: ratio, limit: 1.5 }));
await client.terminate();
await runtime.stop();
rmSync(dataDir, { recursive: true, force: true });
process.exit(ratio <= 1.5 ? 0 : 1);
