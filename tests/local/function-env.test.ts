import { describe, expect, it } from 'vitest';
import { installFunctionEnv, withFunctionEnv } from '../../local/function-env.js';

describe('each function sees its own environment', () => {
  it("reads its own value of a name another function gives another value (each workflow's retrieve function its collections)", () => {
    // Prepare: the shared environment holds the first function's value
    installFunctionEnv();
    process.env.HANDRAIL_TEST_SHARED_NAME = 'support';
    const names = new Set(['HANDRAIL_TEST_SHARED_NAME']);
    // Act, Assess
    expect(withFunctionEnv(names, () => process.env.HANDRAIL_TEST_SHARED_NAME)).toBe('support');
    expect(withFunctionEnv(names, () => process.env.HANDRAIL_TEST_SHARED_NAME, { HANDRAIL_TEST_SHARED_NAME: 'product' })).toBe('product');
    // A name the function does not declare stays unset, own value or not
    expect(withFunctionEnv(new Set<string>(), () => process.env.HANDRAIL_TEST_SHARED_NAME, { HANDRAIL_TEST_SHARED_NAME: 'product' })).toBeUndefined();
    delete process.env.HANDRAIL_TEST_SHARED_NAME;
  });

  it('answers `in`, Object.keys and spreads as it answers reads: an own value is there, an undeclared name is not', () => {
    installFunctionEnv();
    const names = new Set(['HANDRAIL_TEST_OWN_ONLY']);
    const seen = withFunctionEnv(names, () => ({ has: 'HANDRAIL_TEST_OWN_ONLY' in process.env, keys: Object.keys(process.env), copy: { ...process.env } }), { HANDRAIL_TEST_OWN_ONLY: 'rfp' });
    expect(seen.has).toBe(true);
    expect(seen.keys).toContain('HANDRAIL_TEST_OWN_ONLY');
    expect(seen.copy.HANDRAIL_TEST_OWN_ONLY).toBe('rfp');
    // Undeclared: not there, though another function's own value names it
    const hidden = withFunctionEnv(new Set<string>(), () => ({ has: 'HANDRAIL_TEST_OWN_ONLY' in process.env, copy: { ...process.env } }), { HANDRAIL_TEST_OWN_ONLY: 'rfp' });
    expect(hidden).toEqual({ has: false, copy: expect.not.objectContaining({ HANDRAIL_TEST_OWN_ONLY: expect.anything() }) });
    // Outside invocations, the shared environment is untouched
    expect('HANDRAIL_TEST_OWN_ONLY' in process.env).toBe(false);
  });
});
