import { describe, expect, it } from 'vitest';
import { calibrationMs } from '../../bench/calibration.js';

describe('calibrationMs', () => {
  it('times a fixed piece of work: a positive median in milliseconds', () => {
    const ms = calibrationMs(3);
    expect(ms).toBeGreaterThan(0);
    expect(Number.isFinite(ms)).toBe(true);
  });
});
