/**
 * How fast this machine is right now: the development VMs' speed varies two- to four-fold from
 * hour to hour, so a throughput figure means little without it. A fixed piece of the work a run
 * does (JSON of a record-sized object, SHA-256 HMACs as request signing does, object spreads as
 * SDK middleware does), timed a few times on an idle thread: the median in milliseconds. Compare
 * throughput figures only between runs of similar calibration.
 */
import { createHmac } from 'node:crypto';
import { percentile } from './load.js';

const RECORD = {
  runId: 'run-calibration',
  steps: Array.from({ length: 8 }, (_, i) => ({ stepId: `step_${i}`, status: 'succeeded', output: { text: 'x'.repeat(600), score: i / 7, tags: ['a', 'b', 'c'] } })),
};

function unit(): number {
  let n = 0;
  for (let i = 0; i < 400; i++) {
    const parsed = JSON.parse(JSON.stringify({ ...RECORD, i })) as typeof RECORD;
    n += parsed.steps.length;
    n += createHmac('sha256', `key-${i}`).update(JSON.stringify(parsed.steps[i % 8])).digest()[0]!;
  }
  return n;
}

export function calibrationMs(samples = 9): number {
  for (let i = 0; i < 3; i++) unit(); // warm: compiled, as in a running runtime
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    unit();
    times.push(performance.now() - start);
  }
  return percentile(times, 50);
}
