/**
 * Progress of a CLI command over a known number of items, on stderr: a bar (cli-progress) when
 * stderr is a terminal, else one line per item (`[3/40] refunds: changed`), which logs and CI keep.
 */
import { SingleBar } from 'cli-progress';

export interface Progress {
  /** One more item done; `what` says which and how it went. */
  tick(what: string): void;
  stop(): void;
}

export function progress(total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) {
    let done = 0;
    return { tick: (what) => void stream.write(`[${++done}/${total}] ${what}\n`), stop: () => undefined };
  }
  const bar = new SingleBar({ stream, format: '[{bar}] {value}/{total} {what}', barsize: 30, barCompleteChar: '\u2588', barIncompleteChar: '\u2591', hideCursor: true, clearOnComplete: false });
  bar.start(total, 0, { what: '' });
  return { tick: (what) => bar.increment(1, { what }), stop: () => bar.stop() };
}
