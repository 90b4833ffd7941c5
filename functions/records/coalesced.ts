/**
 * Requests that share a round trip (writes to one hot item, or reads that can go in one batch):
 * while a request for a key is in flight, later ones for that key wait and go together as one
 * request when it returns (`send(key, items)` answers one result per item, in order), so each
 * still starts after its caller asked. A failure reaches every caller of the batch. A busy key (one
 * integration sending many webhooks at once, one route path's reviewers clearing a queue, the
 * standings of an API's concurrent callers) then costs one request per round trip instead of one
 * per caller; an idle one waits for nothing.
 */
interface Waiter<I, R> {
  readonly item: I;
  resolve(result: R): void;
  reject(err: unknown): void;
}

interface KeyState<I, R> {
  inFlight: boolean;
  /** A send is due once the current synchronous work ends (`sameTurn`). */
  due: boolean;
  queued: Waiter<I, R>[];
}

export interface CoalescedOptions {
  /**
   * Requests asked in the same synchronous turn (e.g. the reads of one `Promise.all`) go together
   * even when none is in flight: the first waits for the turn's end (a microtask), not a round trip.
   */
  readonly sameTurn?: boolean;
}

export function coalesced<I, R>(send: (key: string, items: I[]) => Promise<R[]>, options: CoalescedOptions = {}): (key: string, item: I) => Promise<R> {
  const keys = new Map<string, KeyState<I, R>>();

  const flush = (key: string, state: KeyState<I, R>) => {
    const batch = state.queued;
    state.queued = [];
    state.inFlight = true;
    send(key, batch.map((w) => w.item))
      .then(
        (results) => batch.forEach((w, i) => w.resolve(results[i]!)),
        (err: unknown) => batch.forEach((w) => w.reject(err)),
      )
      .finally(() => {
        state.inFlight = false;
        if (state.queued.length > 0) flush(key, state);
        else keys.delete(key);
      });
  };

  return (key, item) =>
    new Promise<R>((resolve, reject) => {
      let state = keys.get(key);
      if (!state) keys.set(key, (state = { inFlight: false, due: false, queued: [] }));
      state.queued.push({ item, resolve, reject });
      if (state.inFlight || state.due) return;
      if (!options.sameTurn) return flush(key, state);
      const due = state;
      due.due = true;
      queueMicrotask(() => {
        due.due = false;
        if (!due.inFlight && due.queued.length > 0) flush(key, due);
      });
    });
}
