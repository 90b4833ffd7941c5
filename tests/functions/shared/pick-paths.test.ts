import { describe, expect, it } from 'vitest';
import { pickPaths } from '../../../functions/shared/pick-paths.js';

const classification = { topic: { label: 'billing', labels: ['billing'], flags: { legal: false, billing: true }, method: 'lexicon' }, sentiment: { label: 'negative', score: -0.4 } };

describe('pickPaths', () => {
  it('keeps only the values at the paths, nested as they were', () => {
    expect(pickPaths(classification, ['topic.flags.legal', 'sentiment.label'])).toEqual({ topic: { flags: { legal: false } }, sentiment: { label: 'negative' } });
  });

  it('leaves out paths the value lacks, so IsPresent stays false', () => {
    expect(pickPaths(classification, ['complexity.label', 'topic.flags.security'])).toEqual({});
    expect(pickPaths({ output: null }, ['output.category'])).toEqual({});
    expect(pickPaths('text', ['length'])).toEqual({});
  });

  it('keeps falsy values that are there (false, 0, empty string, null)', () => {
    expect(pickPaths({ a: 0, b: '', c: null, d: false }, ['a', 'b', 'c', 'd'])).toEqual({ a: 0, b: '', c: null, d: false });
  });

  it('keeps a whole value once, and never writes into it for a path inside it', () => {
    const value = { gates: { failed: true, failures: [{ gate: 'length' }] } };
    const picked = pickPaths(value, ['gates.failed', 'gates']);
    expect(picked).toEqual(value);
    expect(value).toEqual({ gates: { failed: true, failures: [{ gate: 'length' }] } });
    expect(pickPaths(value, [''])).toBe(value);
  });

  it('keeps nothing when no path is read', () => {
    expect(pickPaths({ text: 'a long draft', citations: [1] }, [])).toEqual({});
  });
});
