/**
 * Group commit: writes asked for in the same turn of the event loop are sent as one request, and
 * each caller's promise settles when the request that carried its write does. Nothing is
 * buffered past that turn, so a Lambda that returns has written everything it asked for. One
 * invocation at a time (Lambda) sends batches of one; many concurrent invocations in one process
 * (the local runtime) share requests, which keeps the write path per run lean.
 */
interface Entry<T> {
  readonly item: T;
  resolve(): void;
  reject(err: unknown): void;
}

export interface GroupCommitOptions<T> {
  /** Most items per request (BatchWriteItem takes 25). */
  readonly maxBatch: number;
  /** Items that may not share a request (e.g. the same key twice, which BatchWriteItem refuses). */
  readonly conflicts?: (a: T, b: T) => boolean;
}

export function groupCommit<T>(send: (items: T[]) => Promise<void>, options: GroupCommitOptions<T>): (item: T) => Promise<void> {
  let queue: Entry<T>[] = [];
  let scheduled = false;

  const drain = () => {
    scheduled = false;
    const entries = queue;
    queue = [];
    const batches: Entry<T>[][] = [];
    for (const entry of entries) {
      const fits = (batch: Entry<T>[]) => batch.length < options.maxBatch && !batch.some((other) => options.conflicts?.(other.item, entry.item));
      const batch = batches.find(fits);
      if (batch) batch.push(entry);
      else batches.push([entry]);
    }
    for (const batch of batches) {
      send(batch.map((e) => e.item)).then(
        () => batch.forEach((e) => e.resolve()),
        (err: unknown) => batch.forEach((e) => e.reject(err)),
      );
    }
  };

  return (item) =>
    new Promise<void>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(drain);
      }
    });
}
