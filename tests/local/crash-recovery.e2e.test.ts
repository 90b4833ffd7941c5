/**
 * The local runtime survives SIGKILL at random points (seeded; `npm run crash` runs the bigger
 * version with figures): every run reaches a final state, every decision acknowledged with 200 is
 * honoured, and no run is delivered twice (a delivery cut off by the kill is re-sent with the same
 * Idempotency-Key, which the receiver takes once).
 */
import { describe, expect, it } from 'vitest';
import { runCrashScenario } from '../../bench/crash-scenario.js';

describe('kill -9 while runs are in flight', () => {
  it('loses no run and no acknowledged decision, and delivers nothing twice', { timeout: 420_000 }, async () => {
    const report = await runCrashScenario({ runs: 100, kills: 2, seed: 20261130 });
    const summary = JSON.stringify(report);
    expect(report.unfinished, summary).toEqual([]);
    expect(report.dishonoured, summary).toEqual([]);
    expect(report.duplicateDeliveries, summary).toEqual([]);
    // Only deliveries cut off by a kill are sent again, with the same Idempotency-Key: a handful per kill.
    expect(report.replayedDeliveries, summary).toBeLessThanOrEqual(report.kills * 16);
    expect(report.acknowledged, summary).toBeGreaterThan(0);
    expect(report.statuses.needs_human ?? 0, summary).toBe(0);
    expect(Object.values(report.statuses).reduce((a, b) => a + b, 0)).toBe(100);
  });
});
