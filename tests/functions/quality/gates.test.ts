import { describe, expect, it } from 'vitest';
import { draftConfidence, evaluateGates } from '../../../functions/quality/gates.js';
import { luhnValid, personalData } from '../../../functions/shared/personal-data.js';

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

  it('fails a draft whose confidence is below minConfidence, and reports the measured confidence', () => {
    const confident = { text: 'Refunds within 14 days [1].', citations: [1], confidence: { score: 0.9, method: 'grounding' as const, reason: 'r' } };
    const withConfidence = { ...gates, minConfidence: 0.6 };
    expect(evaluateGates(withConfidence, confident, [{ score: 3 }])).toEqual({ failed: false, contextFailed: false, failures: [], confidence: confident.confidence });
    const unsure = { ...confident, confidence: { score: 0.3, method: 'model' as const, reason: 'the model reported its confidence' } };
    expect(evaluateGates(withConfidence, unsure, [{ score: 3 }]).failures).toEqual([{ gate: 'confidence', detail: 'confidence 0.3 is below 0.6 (the model reported its confidence)' }]);
    expect(evaluateGates(withConfidence, { text: 'Refunds within 14 days [1].', citations: [1] }, [{ score: 3 }]).failures.map((f) => f.gate)).toEqual(['confidence']);
  });

  it('takes the confidence a model reported in its structured output, else measures grounding', () => {
    const passages = [{ text: 'Refunds are possible within 14 days of payment.' }];
    expect(draftConfidence({ text: 'x', output: { confidence: 0.42 } }, passages)).toMatchObject({ score: 0.42, method: 'model' });
    expect(draftConfidence({ text: 'Refunds are possible within 14 days [1].', output: { confidence: 7 } }, passages)).toMatchObject({ score: 1, method: 'grounding' });
    expect(draftConfidence({ text: 'We ship free laptops.' }, passages)).toMatchObject({ score: 0, method: 'grounding' });
  });

  it('recognises card numbers by their checksum, not by any long number', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(personalData('Order 1234 5678 9012 3456 shipped')).not.toContain('a card number');
    expect(personalData('Nothing personal here, plan costs 49 dollars')).toEqual([]);
  });
});
