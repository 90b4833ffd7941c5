/**
 * Knowledge sync on a schedule (issue 13, item 2), on the local runtime: a stage whose `support`
 * collection follows an S3 prefix (here a bucket of the embedded S3) gets one EventBridge rule that
 * invokes the sync function with the collection as its input. Each run adds versions only for new or
 * changed files (Markdown, HTML, PDF), removes the documents whose files are gone (only its own),
 * skips what has no text, records the source and its revision, audits every write as
 * `knowledge-sync`, and changes nothing when nothing changed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime.js';
import { auditTrail } from '../../functions/records/audit.js';
import { minimalPdf } from '../support/pdf.js';
import { client, startTestRuntime } from '../support/local-runtime.js';

const BUCKET = 'acme-help-center';
const FROM = `s3://${BUCKET}/articles/`;
let rt: LocalRuntime;
let s3: S3Client;
const stagesFileBefore = process.env.HANDRAIL_STAGES_FILE;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'handrail-sync-stage-'));
  const stagesFile = join(dir, 'stages.yaml');
  writeFileSync(stagesFile, `local:\n  knowledgeSync:\n    support: { from: "${FROM}", every: 1h }\n`);
  process.env.HANDRAIL_STAGES_FILE = stagesFile;
  rt = await startTestRuntime();
  s3 = new S3Client({ endpoint: rt.emulators.s3Endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
}, 120_000);

afterAll(async () => {
  await rt?.stop();
  process.env.HANDRAIL_STAGES_FILE = stagesFileBefore;
});

const put = (key: string, body: string | Buffer) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
/** Fires the stage's schedules, as EventBridge would, and returns what the sync answered. */
async function scheduledSync(): Promise<Record<string, unknown>> {
  const results = (await rt.runSchedules()) as Record<string, unknown>[];
  const sync = results.filter((r) => r && typeof r === 'object' && r.collection === 'support');
  expect(sync).toHaveLength(1);
  return sync[0]!;
}
type Doc = { docId: string; version: number; author: string; source?: { from?: string; path: string; revision: string } };
const synced = async () => ((await client(rt).get('/knowledge/support/documents')).body.documents as Doc[]).filter((d) => d.source?.from === FROM);

describe('scheduled knowledge sync (stages.yaml knowledgeSync)', () => {
  it('declares one rule for the collection whose input names it', () => {
    const rules = Object.values(rt.template.Resources).filter((r) => r.Type === 'AWS::Events::Rule' && JSON.stringify(r.Properties?.Targets ?? []).includes('collection'));
    expect(rules).toHaveLength(1);
    expect(rules[0]!.Properties).toMatchObject({ ScheduleExpression: 'rate(1 hour)' });
  });

  it('adds the files of the prefix as versions authored by knowledge-sync, skipping what has no text', async () => {
    await put('articles/gift-cards.md', '# Gift cards\n\nGift cards never expire.\n');
    await put('articles/policies/returns.html', '<html><head><title>Returns</title></head><body><nav>Home</nav><p>Returns are accepted within 30 days.</p></body></html>');
    await put('articles/shipping.pdf', minimalPdf(['Orders ship within two business days.'], 'Shipping'));
    await put('articles/scan.pdf', minimalPdf([]));
    await put('articles/.drafts/secret.md', '# Not published\n');
    await put('articles/logo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    await put('elsewhere/other.md', '# Not under the prefix\n');

    const first = await scheduledSync();
    expect(first).toMatchObject({ collection: 'support', from: FROM, added: 3, changed: 0, unchanged: 0, removed: 0, skipped: 1 });
    const docs = await synced();
    expect(docs.map((d) => [d.docId, d.source!.path, d.author])).toEqual([
      ['gift-cards', 'gift-cards.md', 'knowledge-sync'],
      ['returns', 'policies/returns.html', 'knowledge-sync'],
      ['shipping', 'shipping.pdf', 'knowledge-sync'],
    ]);
    expect(new Set(docs.map((d) => d.source!.revision))).toEqual(new Set([first.revision]));
    const pdf = await client(rt).get(`/knowledge/support/documents/shipping/versions/${docs[2]!.version}`);
    expect(pdf.body.text).toBe('# Shipping\n\nOrders ship within two business days.');
    const html = await client(rt).get(`/knowledge/support/documents/returns/versions/${docs[1]!.version}`);
    expect(html.body.text).toContain('Returns are accepted within 30 days.');
    expect(html.body.text).not.toContain('Home');
    const audited = (await auditTrail('knowledge#support')).filter((e) => e.actor === 'knowledge-sync' && e.type === 'knowledge.version_added');
    expect(audited.map((e) => e.details?.docId).sort()).toEqual(['gift-cards', 'returns', 'shipping']);
  });

  it('changes nothing when nothing changed', async () => {
    const before = await synced();
    expect(await scheduledSync()).toMatchObject({ added: 0, changed: 0, unchanged: 3, removed: 0 });
    expect(await synced()).toEqual(before);
  });

  it('versions a changed file, removes a file gone from the prefix, leaves documents it did not sync', async () => {
    const others = ((await client(rt).get('/knowledge/support/documents')).body.documents as Doc[]).filter((d) => d.source?.from !== FROM);
    expect(others.length).toBeGreaterThan(0); // the runtime's sample articles
    await put('articles/gift-cards.md', '# Gift cards\n\nGift cards never expire and can be reloaded.\n');
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'articles/shipping.pdf' }));

    expect(await scheduledSync()).toMatchObject({ added: 0, changed: 1, unchanged: 1, removed: 1 });
    const docs = await synced();
    expect(docs.map((d) => [d.docId, d.version])).toEqual([['gift-cards', 2], ['returns', 1]]);
    const history = (await client(rt).get('/knowledge/support/history?docId=shipping')).body.versions as { removed?: boolean; author: string }[];
    expect(history[0]).toMatchObject({ removed: true, author: 'knowledge-sync' });
    const stillThere = ((await client(rt).get('/knowledge/support/documents')).body.documents as Doc[]).filter((d) => d.source?.from !== FROM);
    expect(stillThere.map((d) => d.docId)).toEqual(others.map((d) => d.docId));
  });
});
