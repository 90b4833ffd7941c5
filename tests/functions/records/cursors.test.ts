import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../../functions/records/cursors.js';
import { resetSigningSecret } from '../../../functions/shared/signing-secret.js';

const KEY = { runId: 'run-abc', sk: 'RUN', workflowId: 'support-reply', createdAt: '2025-01-01T00:00:00.000Z' };
const SCOPE = 'runs:byWorkflow:support-reply';

beforeAll(() => {
  process.env.HANDRAIL_SIGNING_SECRET = 'cursor-test-secret';
  resetSigningSecret();
});
afterAll(() => resetSigningSecret());

describe('pagination cursors', () => {
  it('round-trips a key this API handed out', async () => {
    const cursor = await encodeCursor(KEY, SCOPE);
    expect(await decodeCursor(cursor, SCOPE)).toEqual(KEY);
  });

  it('treats no cursor or an empty one as the first page', async () => {
    expect(await decodeCursor(undefined, SCOPE)).toBeUndefined();
    expect(await decodeCursor('', SCOPE)).toBeUndefined();
    expect(await encodeCursor(undefined, SCOPE)).toBeUndefined();
  });

  it.each([
    ['base64 of {} (an unsigned key)', 'e30'],
    ['an unsigned key of the right shape', Buffer.from(JSON.stringify(KEY)).toString('base64url')],
    ['garbage', '!!!not-a-cursor!!!'],
    ['a very long value', `${'A'.repeat(5000)}.${'B'.repeat(43)}`],
  ])('refuses %s with a ValidationError on cursor', async (_case, cursor) => {
    await expect(decodeCursor(cursor, SCOPE)).rejects.toMatchObject({ name: 'ValidationError', field: 'cursor', message: expect.stringMatching(/^cursor: /) });
  });

  it('refuses a tampered key, and a cursor of another listing', async () => {
    const cursor = (await encodeCursor(KEY, SCOPE))!;
    const [, signature] = cursor.split('.');
    const forged = `${Buffer.from(JSON.stringify({ ...KEY, runId: 'run-other' })).toString('base64url')}.${signature}`;
    await expect(decodeCursor(forged, SCOPE)).rejects.toThrow(/^cursor: /);
    await expect(decodeCursor(cursor, 'runs:byWorkflow:other')).rejects.toThrow(/^cursor: /);
  });
});
