import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPassageIndex, MIN_BM25_PASSAGES, tokenize } from '../../../functions/knowledge/bm25-index.js';
import { splitPassages } from '../../../functions/knowledge/passages.js';
import { titleOf } from '../../../functions/knowledge/validation.js';

const samplesDir = join(import.meta.dirname, '../../../knowledge-samples/support');

function samplePassages() {
  return readdirSync(samplesDir)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .flatMap((file) => {
      const content = readFileSync(join(samplesDir, file), 'utf8');
      const title = titleOf(content, file);
      return splitPassages(content).map((p) => ({ file, title, index: p.index, text: p.text }));
    });
}

describe('tokenize', () => {
  it('lower-cases, drops stop and filler words, stems', () => {
    expect(tokenize('How can I get REFUNDS for billing?')).toEqual(['refund', 'bill']);
    expect(tokenize("I can't log in")).toEqual(['log']);
  });
});

describe('buildPassageIndex (BM25)', () => {
  const index = buildPassageIndex(samplePassages());

  it.each([
    ['How do I get a refund?', 'refunds-and-billing-cycle.md'],
    ['I lost my phone and my recovery codes', 'password-reset-and-2fa.md'],
    ['Can I get service credits for the outage last week?', 'outages-status-page-and-sla.md'],
    ['Please erase my personal data under GDPR', 'account-deletion-and-gdpr.md'],
    ['What happens to my members when I downgrade to the Free plan?', 'plan-upgrades-and-downgrades.md'],
    ['download all projects as CSV', 'data-export.md'],
  ])('ranks the right article first for %j', (query, file) => {
    const hits = index.search(query, 3);
    expect(hits[0]!.passage.file).toBe(file);
  });

  it('returns at most topK hits, best first, scores rounded to 4 decimals', () => {
    const hits = index.search('refund billing invoice', 4);
    expect(hits).toHaveLength(4);
    for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
    for (const h of hits) expect(Math.round(h.score * 10_000) / 10_000).toBe(h.score);
  });

  it('returns nothing when no term matches or the query is only stop words', () => {
    expect(index.search('zebra quokka', 5)).toEqual([]);
    expect(index.search('how do I do it?', 5)).toEqual([]);
  });

  it('is deterministic for ties', () => {
    const twins = buildPassageIndex([
      { title: 'A', text: 'apple banana' },
      { title: 'B', text: 'apple banana' },
      { title: 'C', text: 'cherry' },
    ]);
    expect(twins.search('apple', 5).map((h) => h.passage.title)).toEqual(['A', 'B']);
  });
});

describe('buildPassageIndex (fewer than 3 passages)', () => {
  it('falls back to term overlap: the share of distinct query terms a passage covers', () => {
    expect(MIN_BM25_PASSAGES).toBe(3);
    const index = buildPassageIndex([
      { title: 'Refunds', text: 'Refunds are paid within 14 days.' },
      { title: 'Export', text: 'Export your data as CSV.' },
    ]);
    const hits = index.search('refund days export', 5);
    expect(hits.map((h) => [h.passage.title, h.score])).toEqual([
      ['Refunds', 0.6667],
      ['Export', 0.3333],
    ]);
    expect(index.search('zebra', 5)).toEqual([]);
    expect(buildPassageIndex([]).search('refund', 5)).toEqual([]);
  });
});
