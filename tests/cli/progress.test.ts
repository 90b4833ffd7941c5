/**
 * The CLI's progress (cli/progress.ts): a bar on a terminal, with the count and what was done last;
 * one line per item elsewhere (logs and CI keep them).
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { progress } from '../../cli/progress.js';

function stream(isTTY: boolean) {
  const out = new PassThrough();
  let written = '';
  out.on('data', (chunk) => (written += String(chunk)));
  return { out: Object.assign(out, { isTTY, columns: 100, cursorTo: () => true, clearLine: () => true, moveCursor: () => true }) as unknown as NodeJS.WriteStream, written: () => written };
}

describe('CLI progress', () => {
  it('writes one line per item when stderr is not a terminal', () => {
    const s = stream(false);
    const p = progress(2, s.out);
    p.tick('refunds: added');
    p.tick('loyalty: unchanged');
    p.stop();
    expect(s.written()).toBe('[1/2] refunds: added\n[2/2] loyalty: unchanged\n');
  });

  it('draws a bar with the count and the last item on a terminal', () => {
    const s = stream(true);
    const p = progress(4, s.out);
    p.tick('refunds: added');
    p.tick('loyalty: changed');
    p.stop();
    // Terminal control sequences aside, the last frame drawn:
    const frames = s.written().replace(/\x1b(?:\[[0-9;?]*[A-Za-z]|[78])/g, '\n').split(/\r|\n/).filter((l) => l.includes('/4'));
    expect(frames.at(-1)).toMatch(/^\[█{15}░{15}\] 2\/4 loyalty: changed/);
  });
});
