import { describe, expect, it } from 'vitest';
import { safeReturnTo } from '../../../functions/auth/return-to.js';

describe('safeReturnTo: where a browser may be sent back after sign-in', () => {
  it.each([
    ['/review/abc.def', '/review/abc.def'],
    ['/inbox/x?y=1&z=2', '/inbox/x?y=1&z=2'],
    ['/', '/'],
    ['/review/../auth/login', '/auth/login'],
  ])('keeps the same-origin path %s', (value, kept) => {
    expect(safeReturnTo(value)).toBe(kept);
  });

  it.each([
    'https://evil.example/review/x',
    '//evil.example/x',
    '/\\evil.example',
    '\\\\evil.example',
    'review/x',
    'javascript:alert(1)',
    '/review/x\nSet-Cookie: a=b',
    '/\t/evil.example',
    `/${'a'.repeat(2048)}`,
    '',
    undefined,
    null,
  ])('refuses %j (no open redirect)', (value) => {
    expect(safeReturnTo(value as string | undefined)).toBeUndefined();
  });
});
