/**
 * The offline classifiers on a small corpus of support tickets: VADER sentiment, stemmed topic
 * lexicons, complexity statistics and draft grounding. Deterministic, so exact labels are asserted.
 */
import { describe, expect, it } from 'vitest';
import { classifyComplexity } from '../../../functions/classifiers/complexity.js';
import { describeClassification } from '../../../functions/classifiers/describe.js';
import { groundingConfidence } from '../../../functions/classifiers/grounding.js';
import { classifyOffline } from '../../../functions/classifiers/offline-classifier.js';
import { classifySentiment } from '../../../functions/classifiers/sentiment.js';
import { classifyTopics, topicDefinitions } from '../../../functions/classifiers/topics.js';
import { builtinTopicNames } from '../../../state-machines/schema.js';

const topics = topicDefinitions([...builtinTopicNames]);

describe('sentiment (VADER)', () => {
  it.each([
    ["This is the third time I've asked. Your product is terrible and I want a refund now!", 'negative'],
    ['Nothing works since the update and nobody answers. Worst support ever.', 'negative'],
    ["I'm really frustrated, the export keeps failing and I lose my work.", 'negative'],
    ['I am not happy with the service.', 'negative'],
    ['How do I reset my password?', 'neutral'],
    ['Where can I download last month’s invoice?', 'neutral'],
    ['Thanks, the export works great.', 'positive'],
    ['Love the new dashboard, but how do I export to CSV?', 'positive'],
  ])('%s → %s', (text, label) => {
    expect(classifySentiment(text, 0.05).label).toBe(label);
  });

  it('handles negation and points at the most negative sentence', () => {
    const result = classifySentiment('Hi team. The app crashes every time I open it. Very disappointed.', 0.05);
    expect(result).toMatchObject({ label: 'negative', method: 'lexicon:vader' });
    expect(result.score).toBeLessThan(-0.3);
    expect(result.evidence).toBe('Very disappointed.');
    expect(classifySentiment('I am happy with the service.', 0.05).label).toBe('positive');
  });

  it('moves the neutral band with the threshold', () => {
    const billing = 'I was charged for the annual plan last week. How do I get a refund?';
    expect(classifySentiment(billing, 0.05).label).toBe('negative');
    expect(classifySentiment(billing, 0.3).label).toBe('neutral');
  });
});

describe('topics (stemmed lexicons)', () => {
  it('finds every declared topic with the terms that matched, strongest first', () => {
    const result = classifyTopics('My lawyer says we will take legal action over the GDPR breach.', topics);
    expect(result).toMatchObject({ label: 'legal', labels: ['legal', 'security', 'compliance'], any: true, method: 'lexicon:topics' });
    expect(result.flags).toEqual({ legal: true, security: true, compliance: true, billing: false });
    expect(result.evidence).toEqual({ legal: ['lawyer', 'legal action'], security: ['breach'], compliance: ['gdpr'] });
  });

  it('matches inflections once, and phrases only as consecutive words', () => {
    expect(classifyTopics('They charged me twice; both charges are on the invoices.', topics).evidence).toEqual({ billing: ['invoice', 'charge'] });
    expect(classifyTopics('The report showed data. Protection was fine.', topics).flags.compliance).toBe(false);
    expect(classifyTopics('Our data protection officer asked.', topics).flags.compliance).toBe(true);
  });

  it('says none when nothing matches, and takes custom topics', () => {
    expect(classifyTopics('How do I export to CSV?', topics)).toMatchObject({ label: 'none', labels: [], any: false });
    const custom = topicDefinitions([{ name: 'churn', terms: ['cancel', 'switch to a competitor'] }, 'billing']);
    expect(classifyTopics('We will cancel and switch to a competitor unless the invoice is fixed', custom)).toMatchObject({
      label: 'churn',
      labels: ['churn', 'billing'],
      flags: { churn: true, billing: true },
    });
  });
});

describe('complexity', () => {
  it('is low for one short question and higher for many technical questions across topics', () => {
    expect(classifyComplexity('How do I reset my password?')).toMatchObject({ label: 'low', method: 'statistics' });
    const long = [
      'Export to CSV fails with ERR_5021 on v2.3.1 when I call the API from our webhook.',
      'Is there a workaround? Does the API support pagination? Can the webhook retry? Which endpoint should I use?',
      'We have 40 users and need this fixed before our quarterly review; finance depends on the exports for reconciliation and board reporting, and the invoice totals do not match either.',
    ].join(' ');
    const result = classifyComplexity(long, 2);
    expect(['medium', 'high']).toContain(result.label);
    expect(result.score).toBeGreaterThan(classifyComplexity('How do I reset my password?').score);
    expect(result.factors).toMatchObject({ questions: 4, topics: 2 });
  });
});

describe('draft confidence (grounding)', () => {
  const passages = [{ text: 'Refunds are available within 30 days of purchase. Annual plans are refunded for unused months.' }];

  it('is high when the passages support the draft and low when they do not', () => {
    expect(groundingConfidence('Annual plans are refunded for the unused months [1].', passages).score).toBe(1);
    const made_up = groundingConfidence('We will send you a free laptop and a gift voucher tomorrow.', passages);
    expect(made_up.score).toBeLessThan(0.3);
    expect(made_up).toMatchObject({ method: 'grounding', reason: expect.stringContaining('distinct content words') });
  });

  it('is 0 without passages or without content', () => {
    expect(groundingConfidence('Anything at all.', [])).toMatchObject({ score: 0, reason: expect.stringContaining('no knowledge passages') });
    expect(groundingConfidence('[1]', passages).score).toBe(0);
  });
});

describe('classifyOffline', () => {
  it('runs only the classifiers asked for and describes them for a reviewer', () => {
    const c = classifyOffline({
      text: 'Someone logged into my account from abroad, I think I was hacked. Furious.',
      classifiers: ['sentiment', 'topic'],
      topics,
      sentimentThreshold: 0.05,
      passages: [],
    });
    expect(Object.keys(c)).toEqual(['sentiment', 'topic']);
    expect(c.topic).toMatchObject({ label: 'security', flags: { security: true } });
    const lines = describeClassification(c);
    expect(lines[0]).toMatch(/^sentiment negative \(-0\.\d+, lexicon:vader\): “/);
    expect(lines[1]).toBe('topic security (hacked) [lexicon:topics]');
  });
});
