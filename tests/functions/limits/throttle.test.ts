import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, limitsSchema } from '../../../functions/limits/limits-config.js';
import { Throttle, type CountRequest } from '../../../functions/limits/throttle.js';

const LIMITS = { ...DEFAULT_LIMITS, person: { requests: 3, windowSeconds: 60 }, webhook: { requests: 2, windowSeconds: 10 } };

/** One shared store of counts, as the throttle table is for every container. */
function counterStore() {
  const counts = new Map<string, number>();
  const writes: string[] = [];
  const count: CountRequest = async (bucket) => {
    writes.push(bucket);
    const n = (counts.get(bucket) ?? 0) + 1;
    counts.set(bucket, n);
    return n;
  };
  return { count, writes };
}

describe('Throttle', () => {
  it('admits a caller up to its limit, then refuses until its window ends, saying when to retry', async () => {
    // Prepare
    let now = 120_000 + 15_000; // 15 s into a one-minute window
    const store = counterStore();
    const throttle = new Throttle(LIMITS, store.count, () => now);
    // Act
    const admitted = [];
    for (let i = 0; i < 3; i++) admitted.push((await throttle.consume('person', 'pat@example.com')).allowed);
    const refused = await throttle.consume('person', 'pat@example.com');
    now = 180_000; // the next window
    const reopened = await throttle.consume('person', 'pat@example.com');
    // Assess
    expect(admitted).toEqual([true, true, true]);
    expect(refused).toMatchObject({ allowed: false, kind: 'person', limit: { requests: 3, windowSeconds: 60 }, retryAfterSeconds: 45, firstRefusal: true });
    expect(reopened.allowed).toBe(true);
  });

  it('counts callers and kinds apart', async () => {
    const throttle = new Throttle(LIMITS, counterStore().count, () => 0);
    for (let i = 0; i < 3; i++) await throttle.consume('person', 'pat@example.com');
    expect((await throttle.consume('person', 'pat@example.com')).allowed).toBe(false);
    expect((await throttle.consume('person', 'sam@example.com')).allowed).toBe(true);
    expect((await throttle.consume('link', 'pat@example.com')).allowed).toBe(true);
  });

  it('holds across containers: two throttles sharing the counters admit the limit once, not twice', async () => {
    const store = counterStore();
    const a = new Throttle(LIMITS, store.count, () => 0);
    const b = new Throttle(LIMITS, store.count, () => 0);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).consume('webhook', 'signature:support-reply')));
    expect(results.filter((r) => r.allowed)).toHaveLength(2);
  });

  it('marks exactly one refusal per caller and window as the first (the one audited)', async () => {
    const store = counterStore();
    const containers = [new Throttle(LIMITS, store.count, () => 0), new Throttle(LIMITS, store.count, () => 0)];
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => containers[i % 2]!.consume('webhook', 'api-key:abc')));
    expect(results.filter((r) => r.firstRefusal)).toHaveLength(1);
  });

  it('refuses a caller it knows is over the limit without writing again (a flood costs one write per container and window)', async () => {
    const store = counterStore();
    const throttle = new Throttle(LIMITS, store.count, () => 0);
    for (let i = 0; i < 100; i++) await throttle.consume('webhook', 'api-key:flood');
    expect(store.writes).toHaveLength(3);
  });

  it('admits the request when the counter cannot be written (the store failing must not take the API down)', async () => {
    const throttle = new Throttle(LIMITS, async () => Promise.reject(new Error('ProvisionedThroughputExceededException')), () => 0);
    expect((await throttle.consume('person', 'pat@example.com')).allowed).toBe(true);
  });
});

describe('limitsSchema (stages.yaml limits)', () => {
  it('fills each kind from the defaults and takes overrides', () => {
    const limits = limitsSchema.parse({ webhook: { requests: 6000 }, anonymous: { windowSeconds: 10 } });
    expect(limits.webhook).toEqual({ requests: 6000, windowSeconds: 60 });
    expect(limits.anonymous).toEqual({ requests: DEFAULT_LIMITS.anonymous.requests, windowSeconds: 10 });
    expect(limits.person).toEqual(DEFAULT_LIMITS.person);
    expect(limitsSchema.parse(undefined)).toEqual(DEFAULT_LIMITS);
  });

  it.each([
    [{ webhok: { requests: 1 } }, /webhok/],
    [{ person: { requests: 0 } }, /at least 1/],
    [{ person: { requests: 1.5 } }, /whole number/],
    [{ link: { windowSeconds: 7200 } }, /at most 3600/],
  ])('refuses %j', (given, message) => {
    const parsed = limitsSchema.safeParse(given);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.message).toMatch(message);
  });
});
