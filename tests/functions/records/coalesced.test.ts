import { describe, expect, it } from 'vitest';
import { coalesced } from '../../../functions/records/coalesced.js';

/** A counter store whose requests resolve when the test says so, recording each request. */
function manualStore() {
  const totals = new Map<string, number>();
  const requests: { key: string; items: string[] }[] = [];
  const gates: (() => void)[] = [];
  const send = (key: string, items: string[]) => {
    requests.push({ key, items });
    return new Promise<number[]>((resolve, reject) =>
      gates.push(() => {
        if (items.includes('fail')) return reject(new Error('throttled by the store'));
        const total = (totals.get(key) ?? 0) + items.length;
        totals.set(key, total);
        resolve(items.map((_, i) => total - items.length + i + 1));
      }),
    );
  };
  const release = async () => {
    gates.shift()!();
    await new Promise((r) => setImmediate(r));
  };
  return { send, requests, release };
}

describe('coalesced', () => {
  it('sends the first write at once and the ones that arrive meanwhile as one request, each caller getting its own result', async () => {
    const store = manualStore();
    const count = coalesced(store.send);
    const first = count('a', 'w1');
    const rest = [count('a', 'w2'), count('a', 'w3'), count('a', 'w4')];
    expect(store.requests).toEqual([{ key: 'a', items: ['w1'] }]);
    await store.release();
    expect(await first).toBe(1);
    expect(store.requests).toEqual([{ key: 'a', items: ['w1'] }, { key: 'a', items: ['w2', 'w3', 'w4'] }]);
    await store.release();
    expect(await Promise.all(rest)).toEqual([2, 3, 4]);
  });

  it('keeps keys apart', async () => {
    const store = manualStore();
    const count = coalesced(store.send);
    const a = count('a', 'w');
    const b = count('b', 'w');
    expect(store.requests.map((r) => r.key)).toEqual(['a', 'b']);
    await store.release();
    await store.release();
    expect([await a, await b]).toEqual([1, 1]);
  });

  it('rejects every caller of a failed batch, and the next write still goes', async () => {
    const store = manualStore();
    const count = coalesced(store.send);
    const settled = (p: Promise<number>) => p.then(String, (e: Error) => e.message);
    const first = settled(count('a', 'fail'));
    const batch = [settled(count('a', 'fail')), settled(count('a', 'w'))];
    await store.release();
    await store.release();
    expect([await first, ...(await Promise.all(batch))]).toEqual(['throttled by the store', 'throttled by the store', 'throttled by the store']);
    const next = count('a', 'w');
    await store.release();
    expect(await next).toBe(1);
  });

  it('with sameTurn, sends what was asked in one synchronous turn as one request, and later asks after it as before', async () => {
    const store = manualStore();
    const count = coalesced(store.send, { sameTurn: true });
    const turn = [count('a', 'w1'), count('a', 'w2')];
    expect(store.requests).toEqual([]);
    await Promise.resolve();
    expect(store.requests).toEqual([{ key: 'a', items: ['w1', 'w2'] }]);
    const later = count('a', 'w3');
    await store.release();
    expect(await Promise.all(turn)).toEqual([1, 2]);
    expect(store.requests.at(-1)).toEqual({ key: 'a', items: ['w3'] });
    await store.release();
    expect(await later).toBe(3);
  });
});
