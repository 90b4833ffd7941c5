import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getDocumentText, listDocuments, putDocument } from '../../../functions/knowledge/document-store.js';
import { documentClient } from '../../../functions/shared/aws-clients.js';
import { ValidationError } from '../../../functions/shared/errors.js';
import { startKnowledgeEnv, type KnowledgeEnv } from './knowledge-env.js';

let env: KnowledgeEnv;
beforeAll(async () => {
  env = await startKnowledgeEnv();
});
afterAll(async () => {
  await env?.stop();
});

const author = 'tester@example.com';

async function versionCount(collection: string): Promise<number> {
  const out = await documentClient().send(
    new QueryCommand({ TableName: 'test-knowledge', KeyConditionExpression: '#c = :c', ExpressionAttributeNames: { '#c': 'collection' }, ExpressionAttributeValues: { ':c': collection } }),
  );
  return out.Count ?? 0;
}

describe('putDocument', () => {
  it('stores immutable versions and lists the latest', async () => {
    const v1 = await putDocument({ collection: 'docs', fileName: 'Getting Started.md', content: '# Getting started\n\nFirst text.', author });
    const v2 = await putDocument({ collection: 'docs', fileName: 'Getting Started.md', content: '# Getting started\n\nSecond text.', author });

    expect(v1).toMatchObject({ collection: 'docs', docId: 'getting-started', version: 1, title: 'Getting started', author, bytes: 30 });
    expect(v1.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(v1.s3Key).toBe(`knowledge/docs/getting-started/v1-${v1.sha256.slice(0, 12)}.md`);
    expect(v1.unchanged).toBeUndefined();
    expect(new Date(v1.createdAt).toISOString()).toBe(v1.createdAt);
    expect(v2).toMatchObject({ docId: 'getting-started', version: 2 });
    expect(v2.s3Key).not.toBe(v1.s3Key);

    // The old version stays readable: it was never overwritten.
    expect(await getDocumentText(v1)).toBe('# Getting started\n\nFirst text.');
    expect(await getDocumentText(v2)).toBe('# Getting started\n\nSecond text.');

    const record = await documentClient().send(
      new GetCommand({ TableName: 'test-knowledge', Key: { collection: 'docs', docVersion: 'getting-started#v000002' } }),
    );
    expect(record.Item).toMatchObject({ version: 2, sha256: v2.sha256, s3Key: v2.s3Key });

    const listed = await listDocuments('docs');
    expect(listed).toHaveLength(1);
    expect(listed[0]).toEqual(v2);
  });

  it('returns the latest version unchanged when the content is the same', async () => {
    const first = await putDocument({ collection: 'same', docId: 'faq', fileName: 'faq.md', content: 'Same words.', author });
    const again = await putDocument({ collection: 'same', docId: 'faq', fileName: 'faq.md', content: 'Same words.', author: 'someone-else' });
    expect(again).toEqual({ ...first, unchanged: true });
    expect(await versionCount('same')).toBe(1);
  });

  it('uses the file name as title without a heading, and keeps docs with prefix-sharing ids apart', async () => {
    const a = await putDocument({ collection: 'prefix', docId: 'faq', fileName: 'faq.txt', content: 'a', author });
    const b = await putDocument({ collection: 'prefix', docId: 'faq-2', fileName: 'faq-2.txt', content: 'b', author });
    expect([a.title, a.version, b.version]).toEqual(['faq.txt', 1, 1]);
    expect((await listDocuments('prefix')).map((d) => d.docId)).toEqual(['faq', 'faq-2']);
  });

  it('allocates distinct versions to concurrent writers and loses none', async () => {
    const contents = Array.from({ length: 8 }, (_, i) => `# Race\n\nContent number ${i}.`);
    const send = vi.spyOn(documentClient(), 'send');
    const results = await Promise.all(contents.map((content) => putDocument({ collection: 'race', docId: 'race', fileName: 'race.md', content, author })));

    // All writers read "no versions" before any wrote, so most lost at least one round.
    const puts = send.mock.calls.filter(([command]) => command instanceof PutCommand).length;
    send.mockRestore();
    expect(puts).toBeGreaterThan(8);
    expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const [i, r] of results.entries()) expect(await getDocumentText(r)).toBe(contents[i]);
    expect(await versionCount('race')).toBe(8);
    expect((await listDocuments('race'))[0]!.version).toBe(8);
  });

  it('rejects invalid input with a ValidationError naming the field', async () => {
    const valid = { collection: 'docs', fileName: 'a.md', content: 'text', author };
    const fieldOf = (p: Promise<unknown>) =>
      p.then(
        () => 'resolved',
        (e: unknown) => (e instanceof ValidationError ? e.field : `other: ${String(e)}`),
      );
    expect(await fieldOf(putDocument({ ...valid, collection: 'Bad Name!' }))).toBe('collection');
    expect(await fieldOf(putDocument({ ...valid, collection: '-dash' }))).toBe('collection');
    expect(await fieldOf(putDocument({ ...valid, content: '  \n' }))).toBe('content');
    expect(await fieldOf(putDocument({ ...valid, content: 'x'.repeat(1024 * 1024 + 1) }))).toBe('content');
    expect(await fieldOf(putDocument({ ...valid, author: '' }))).toBe('author');
    expect(await fieldOf(putDocument({ ...valid, docId: 'a#b' }))).toBe('docId');
    expect(await fieldOf(putDocument({ ...valid, fileName: '!!!.md' }))).toBe('fileName');
    expect(await fieldOf(listDocuments('UPPER'))).toBe('collection');
  });

  it('lists an empty collection as empty', async () => {
    expect(await listDocuments('nothing-here')).toEqual([]);
  });
});
