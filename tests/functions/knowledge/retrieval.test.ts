import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDocuments, putDocument } from '../../../functions/knowledge/document-store.js';
import { loadSampleKnowledge } from '../../../functions/knowledge/load-samples.js';
import { clearRetrievalCache, retrievalCacheStats, retrieve } from '../../../functions/knowledge/retrieval.js';
import { ValidationError } from '../../../functions/shared/errors.js';
import { startKnowledgeEnv, type KnowledgeEnv } from './knowledge-env.js';

const samplesDir = join(import.meta.dirname, '../../../knowledge-samples');
const refundQuestion = 'How do I get a refund for my annual subscription?';

let env: KnowledgeEnv;
beforeAll(async () => {
  env = await startKnowledgeEnv();
  clearRetrievalCache();
});
afterAll(async () => {
  await env?.stop();
});

describe('loadSampleKnowledge', () => {
  it('loads each sample article once and is idempotent', async () => {
    const first = await loadSampleKnowledge(samplesDir);
    // Each subfolder is a collection: support (support-reply), product (sales-outreach), rfp (rfp-response).
    expect([...new Set(first.map((d) => d.collection))].sort()).toEqual(['product', 'rfp', 'support']);
    const support = first.filter((d) => d.collection === 'support');
    expect(support.length).toBeGreaterThanOrEqual(5);
    expect(first.filter((d) => d.collection === 'rfp').length).toBeGreaterThanOrEqual(4);
    expect(first.every((d) => d.version === 1 && !d.unchanged)).toBe(true);
    expect(first.map((d) => d.author)).toContain('handrail-samples');

    const again = await loadSampleKnowledge(samplesDir);
    expect(again.every((d) => d.unchanged === true && d.version === 1)).toBe(true);
    expect(await listDocuments('support')).toHaveLength(support.length);
    expect(await listDocuments('product')).toHaveLength(first.filter((d) => d.collection === 'product').length);
  });
});

describe('retrieve', () => {
  it('ranks the refund article first and cites the exact version and passage', async () => {
    const passages = await retrieve({ collection: 'support', query: refundQuestion, topK: 3 });
    const [doc] = (await listDocuments('support')).filter((d) => d.docId === 'refunds-and-billing-cycle');

    expect(passages.map((p) => p.n)).toEqual([1, 2, 3]);
    expect(passages[0]).toMatchObject({
      n: 1,
      collection: 'support',
      docId: 'refunds-and-billing-cycle',
      title: 'Refunds and billing cycle',
      version: 1,
      sha256: doc!.sha256,
      s3Key: doc!.s3Key,
    });
    expect(passages[0]!.passageId).toMatch(/^refunds-and-billing-cycle@v1#\d+$/);
    expect(passages[0]!.text).toMatch(/refund/i);
    expect(passages[0]!.s3VersionId).toBeUndefined(); // s3rver has no object versioning
    for (const p of passages) expect(Math.round(p.score * 10_000) / 10_000).toBe(p.score);
  });

  it('reuses the warm index: one Query per call, no S3 reads when nothing changed', async () => {
    const before = retrievalCacheStats();
    await retrieve({ collection: 'support', query: 'export my data', topK: 2 });
    expect(retrievalCacheStats()).toEqual(before);
  });

  it('uses the new version after a document changes, reading only that version', async () => {
    const path = join(samplesDir, 'support', 'refunds-and-billing-cycle.md');
    const changed = (await readFile(path, 'utf8')).replace('within 14 days of your first payment', 'within 45 days of your first payment');
    const v2 = await putDocument({ collection: 'support', fileName: 'refunds-and-billing-cycle.md', content: changed, author: 'editor' });
    expect(v2.version).toBe(2);

    const before = retrievalCacheStats();
    const passages = await retrieve({ collection: 'support', query: 'full refund within how many days of first payment', topK: 5 });
    expect(retrievalCacheStats()).toEqual({ indexBuilds: before.indexBuilds + 1, s3Reads: before.s3Reads + 1 });

    const refunds = passages.filter((p) => p.docId === 'refunds-and-billing-cycle');
    expect(passages[0]!.docId).toBe('refunds-and-billing-cycle');
    expect(refunds.every((p) => p.version === 2 && p.sha256 === v2.sha256 && p.passageId.startsWith('refunds-and-billing-cycle@v2#'))).toBe(true);
    expect(passages.map((p) => p.text).join('\n')).toContain('within 45 days');
    expect(passages.map((p) => p.text).join('\n')).not.toContain('within 14 days');
  });

  it('returns [] for an empty collection or a query that matches nothing', async () => {
    expect(await retrieve({ collection: 'empty-collection', query: refundQuestion, topK: 3 })).toEqual([]);
    expect(await retrieve({ collection: 'support', query: 'zebra quokka', topK: 3 })).toEqual([]);
  });

  it('ranks by term overlap when a collection has fewer than 3 passages', async () => {
    await putDocument({ collection: 'tiny', fileName: 'hours.md', content: '# Opening hours\n\nSupport answers from 9 to 17 CET.', author: 'a' });
    const passages = await retrieve({ collection: 'tiny', query: 'when does support answer?', topK: 3 });
    expect(passages).toHaveLength(1);
    expect(passages[0]).toMatchObject({ n: 1, docId: 'hours', version: 1, passageId: 'hours@v1#0', score: 1 });
  });

  it('rejects a bad collection name with a ValidationError naming collection', async () => {
    const error = await retrieve({ collection: 'Not Valid', query: 'x', topK: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('collection');
    const topK = await retrieve({ collection: 'support', query: 'x', topK: 0 }).catch((e: unknown) => e);
    expect((topK as ValidationError).field).toBe('topK');
  });
});
