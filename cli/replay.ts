/**
 * `npx handrail replay <workflow> --release R --from T`: starts a replay (POST
 * /workflows/{w}/replays), waits until every replay run has ended, then prints each recorded run
 * beside its replay (outcome, steps, gates, draft length and citations, cost, latency, and how a
 * person decided the original) and writes the whole report as JSON.
 */
import { writeFileSync } from 'node:fs';
import type { ReplayReport, RunSummary } from '../functions/replays/replay-report.js';
import { api, CliError } from './api-client.js';

export interface ReplayOptions {
  readonly release?: string;
  readonly from?: string;
  readonly to?: string;
  readonly limit?: string;
  readonly out?: string;
}

const WAIT_MS = 10 * 60_000;

function cell(s: RunSummary | undefined): string {
  if (!s) return 'not started';
  const gates = s.gatesFailed.length ? ` gates✗ ${s.gatesFailed.join(',')}` : '';
  const draft = s.draftLength === undefined ? 'no draft' : `${s.draftLength} chars [${(s.citations ?? []).join(',')}]`;
  return `${s.outcome}, ${draft}${gates}, $${s.costUsd}, ${s.latencyMs} ms`;
}

export async function replay(workflow: string | undefined, options: ReplayOptions): Promise<void> {
  if (!workflow) throw new CliError('missing <workflow>; see `handrail --help`', 2);
  if (!options.release) throw new CliError('missing --release <releaseId>: the release to re-run the recorded runs through', 2);
  if (!options.from) throw new CliError('missing --from <time>: replay the runs that ended from then on, e.g. 2026-11-01T00:00:00Z', 2);
  const limit = options.limit === undefined ? undefined : Number(options.limit);
  if (limit !== undefined && !Number.isInteger(limit)) throw new CliError(`--limit: a whole number of runs, not "${options.limit}"`, 2);
  const started = await api<{ replayId: string; runs: { of: string; runId: string }[] }>('POST', `/workflows/${encodeURIComponent(workflow)}/replays`, {
    release: options.release, from: options.from, ...(options.to ? { to: options.to } : {}), ...(limit !== undefined ? { limit } : {}),
  });
  console.error(`replay ${started.replayId}: ${started.runs.length} recorded run(s) through ${options.release}`);
  const deadline = Date.now() + WAIT_MS;
  let report: ReplayReport;
  for (;;) {
    report = await api<ReplayReport>('GET', `/replays/${started.replayId}`);
    process.stderr.write(`\r${report.totals.done}/${report.totals.runs} done`);
    if (report.complete) break;
    if (Date.now() > deadline) throw new CliError(`replay ${started.replayId} is still running after ${WAIT_MS / 60_000} minutes; read it later with GET /replays/${started.replayId}`, 1);
    await new Promise((r) => setTimeout(r, 500));
  }
  process.stderr.write('\n');
  for (const pair of report.pairs) {
    const decided = pair.original.decision ? `${pair.original.decision.action}${pair.original.decision.reasonCode ? ` (${pair.original.decision.reasonCode})` : ''} by ${pair.original.decision.reviewer}` : 'no human decision';
    console.log(`${pair.original.runId}  [${pair.changed.length ? `changed: ${pair.changed.join(', ')}` : 'same'}]`);
    console.log(`  recorded  ${pair.original.releaseId ?? '?'}: ${cell(pair.original)}; ${decided}`);
    console.log(`  replayed  ${report.releaseId}: ${cell(pair.replay)}`);
  }
  const { totals } = report;
  console.log(`${totals.runs} run(s): ${totals.changedOutcome} changed outcome, ${totals.changedPath} changed route; cost $${totals.costUsd.original} recorded, $${totals.costUsd.replay} replayed`);
  const out = options.out ?? `replay-${report.replayId}.json`;
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`report: ${out}`);
}
