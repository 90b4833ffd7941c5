/**
 * Captures the JSON log lines Powertools prints (INFO and below to stdout, WARN and above to
 * stderr), parsed; any other output passes through.
 */
export interface CapturedLogs {
  /** Every JSON log line printed since the capture started, in order. */
  readonly lines: Array<Record<string, any>>;
  /** The raw text of those lines. */
  text(): string;
  restore(): void;
}

export function captureLogs(): CapturedLogs {
  const raw: string[] = [];
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((s) => s.write.bind(s));
  streams.forEach((stream, i) => {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (text.startsWith('{"level"')) {
        raw.push(text);
        return true;
      }
      return (originals[i] as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
  });
  return {
    get lines() {
      return raw
        .join('')
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, any>);
    },
    text: () => raw.join(''),
    restore: () => streams.forEach((stream, i) => (stream.write = originals[i]!)),
  };
}
