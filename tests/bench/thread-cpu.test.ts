import { describe, expect, it } from 'vitest';
import { cpuPer, type ThreadTimes } from '../../bench/thread-cpu.js';

const times = (entries: [number, number][]): ThreadTimes => new Map(entries.map(([tid, ms]) => [tid, { name: 'node', ms }]));

describe('cpuPer', () => {
  it('gives CPU per unit in all, for the busiest threads, and for the rest together', () => {
    const before = times([[1, 100], [2, 50], [3, 0], [4, 0]]);
    const after = times([[1, 300], [2, 150], [3, 40], [4, 20], [5, 10]]); // thread 5 started between the readings
    expect(cpuPer(before, after, 10, 2)).toEqual({ total: 37, 'node#1': 20, 'node#2': 10, otherThreads: 7 });
  });
});
