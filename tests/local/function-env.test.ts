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
});
