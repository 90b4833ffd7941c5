/** Each function's own environment in the shared local process (local/function-env.ts). */
import { describe, expect, it } from 'vitest';
import { installFunctionEnv, withFunctionEnv } from '../../local/function-env.js';

describe('function environments in one process', () => {
  it('shows a function only its names, and its own value where functions disagree', () => {
    // Prepare: the process holds one value (the first function's); two retrieve functions read different collections
    process.env.HANDRAIL_READABLE_COLLECTIONS = 'rfp';
    process.env.OTHER_FUNCTIONS_SECRET_NAME = 'x';
    installFunctionEnv();
    const names = new Set(['HANDRAIL_READABLE_COLLECTIONS']);
    // Act
    const support = withFunctionEnv(names, () => ({ value: process.env.HANDRAIL_READABLE_COLLECTIONS, has: 'HANDRAIL_READABLE_COLLECTIONS' in process.env, other: process.env.OTHER_FUNCTIONS_SECRET_NAME, spread: { ...process.env }.HANDRAIL_READABLE_COLLECTIONS }), { HANDRAIL_READABLE_COLLECTIONS: 'support' });
    const rfp = withFunctionEnv(names, () => process.env.HANDRAIL_READABLE_COLLECTIONS);
    // Assess
    expect(support).toEqual({ value: 'support', has: true, other: undefined, spread: 'support' });
    expect(rfp).toBe('rfp');
    expect(process.env.HANDRAIL_READABLE_COLLECTIONS).toBe('rfp');
  });
});
