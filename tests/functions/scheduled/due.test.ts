/**
 * When a pending approval is due a reminder, and when it is past its reviewers' time (what the
 * reminder sweep counts as ApprovalsPastSla for the stage's alarm): from its first reminder's time
 * until its deadline, whether or not a reminder was sent since.
 */
import { describe, expect, it } from 'vitest';
import { dueForReminder, pastReviewTime } from '../../../functions/scheduled/reminders/due.js';

const requestedAt = '2026-12-01T08:00:00.000Z';
const at = (iso: string) => Date.parse(iso);
const approval = { status: 'pending' as const, reminderEverySeconds: 3600, requestedAt, deadline: '2026-12-01T20:00:00.000Z' };

describe('reminders and review time', () => {
  it('is due a reminder every reminderEverySeconds since the request or the last reminder', () => {
    expect(dueForReminder(approval, at('2026-12-01T08:59:59.000Z'))).toBe(false);
    expect(dueForReminder(approval, at('2026-12-01T09:00:00.000Z'))).toBe(true);
    expect(dueForReminder({ ...approval, lastRemindedAt: '2026-12-01T09:00:00.000Z' }, at('2026-12-01T09:30:00.000Z'))).toBe(false);
  });

  it('is past its reviewers\' time from its first reminder until its deadline, reminded or not', () => {
    expect(pastReviewTime(approval, at('2026-12-01T08:30:00.000Z'))).toBe(false);
    expect(pastReviewTime(approval, at('2026-12-01T09:00:00.000Z'))).toBe(true);
    expect(pastReviewTime({ ...approval, lastRemindedAt: '2026-12-01T09:00:00.000Z' } as typeof approval, at('2026-12-01T09:30:00.000Z'))).toBe(true);
    expect(pastReviewTime(approval, at('2026-12-01T20:00:00.000Z'))).toBe(false); // expired: no longer waiting
  });

  it('is never late without a reminder interval, nor once decided', () => {
    expect(pastReviewTime({ ...approval, reminderEverySeconds: undefined } as unknown as typeof approval, at('2026-12-01T19:00:00.000Z'))).toBe(false);
    expect(pastReviewTime({ ...approval, status: 'approved' } as unknown as typeof approval, at('2026-12-01T19:00:00.000Z'))).toBe(false);
  });
});
