import { describe, expect, it } from 'vitest';
import { evaluateGates, luhnValid, personalData } from '../../../functions/quality/gates.js';

const gates = { blockedPatterns: ['guarantee(d)?', 'legal advice'], requireCitations: true, minLength: 10, maxLength: 200, noPersonalData: true, minPassageScore: 1, onFail: 'review' };

describe('quality gates', () => {
  it('passes a clean, cited draft with good context', () => {
    expect(evaluateGates(gates, { text: 'You can request a refund within 14 days [1].', citations: [1] }, [{ score: 3.2 }])).toEqual({ failed: false, contextFailed: false, failures: [] });
  });

  it.each([
    ['a blocked phrase', { text: 'We guarantee a refund for everyone [1].', citations: [1] }, 'blocked_pattern'],
    ['no citation', { text: 'You can request a refund within 14 days.', citations: [] }, 'citations'],
    ['too short', { text: 'Yes [1]', citations: [1] }, 'length'],
    ['too long', { text: `${'x'.repeat(250)} [1]`, citations: [1] }, 'length'],
    ['an email address', { text: 'Write to pat.smith@example.com for your refund [1].', citations: [1] }, 'personal_data'],
    ['a card number', { text: 'We refunded card 4111 1111 1111 1111 today [1].', citations: [1] }, 'personal_data'],
    ['a phone number', { text: 'Call us on +44 20 7946 0958 about it [1].', citations: [1] }, 'personal_data'],
  ])('fails %s', (_case, draft, gate) => {
    const result = evaluateGates(gates, draft, [{ score: 3 }]);
    expect(result.failed).toBe(true);
    expect(result.contextFailed).toBe(false);
    expect(result.failures.map((f) => f.gate)).toContain(gate);
  });

  it('reports a context failure when no passage scores high enough', () => {
    const result = evaluateGates(gates, { text: 'You can request a refund within 14 days [1].', citations: [1] }, [{ score: 0.4 }]);
    expect(result).toMatchObject({ failed: true, contextFailed: true, failures: [{ gate: 'context' }] });
    expect(evaluateGates(gates, { text: 'You can request a refund within 14 days [1].', citations: [1] }, []).contextFailed).toBe(true);
  });

  it('recognises card numbers by their checksum, not by any long number', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(personalData('Order 1234 5678 9012 3456 shipped')).not.toContain('a card number');
    expect(personalData('Nothing personal here, plan costs 49 dollars')).toEqual([]);
  });
});
