/**
 * `npm run crash`: the kill -9 scenario (bench/crash-scenario.ts) with figures, as one JSON line.
 * CRASH_RUNS (default 300), CRASH_KILLS (default 3), CRASH_SEED (default: random, printed) tune it.
 * Exits 1 if any run did not end, any acknowledged decision was not honoured, or any run was
 * delivered twice.
 */
import { runCrashScenario } from './crash-scenario.js';

const report = await runCrashScenario({
  runs: Number(process.env.CRASH_RUNS ?? 300),
  kills: Number(process.env.CRASH_KILLS ?? 3),
  seed: Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31)),
});
console.log(JSON.stringify(report));
process.exit(report.unfinished.length || report.dishonoured.length || report.duplicateDeliveries.length ? 1 : 0);
