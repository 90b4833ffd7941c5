/** When the SLA sweep reminds a queue owner: past the SLA, then once per SLA period. */
import { describe, expect, it } from 'vitest';
import { dueForQueueReminder } from '../../../functions/runs/queue-sla.js';

const queuedAt = '2026-12-01T10:00:00.000Z';
const queueDueAt = '2026-12-01T14:00:00.000Z'; // a 4h SLA
const at = (iso: string) => Date.parse(iso);

describe('dueForQueueReminder', () => {
  it('is not due before the SLA ends, nor for a run with no owner (no due time)', () => {
    expect(dueForQueueReminder({ queuedAt, queueDueAt }, at('2026-12-01T13:59:59.000Z'))).toBe(false);
    expect(dueForQueueReminder({ queuedAt }, at('2026-12-09T00:00:00.000Z'))).toBe(false);
  });

  it('is due once the SLA ends, then again one SLA period after each reminder', () => {
    expect(dueForQueueReminder({ queuedAt, queueDueAt }, at(queueDueAt))).toBe(true);
    const queueRemindedAt = '2026-12-01T14:05:00.000Z';
    expect(dueForQueueReminder({ queuedAt, queueDueAt, queueRemindedAt }, at('2026-12-01T18:04:59.000Z'))).toBe(false);
    expect(dueForQueueReminder({ queuedAt, queueDueAt, queueRemindedAt }, at('2026-12-01T18:05:00.000Z'))).toBe(true);
  });
});
