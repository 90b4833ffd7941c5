/**
 * Knowledge sync from a folder (issue 13, item 2): adds and changes versions only for changed files,
 * removes documents whose files are gone (only those the folder synced), records the folder's
 * revision on each version, and changes nothing when run again; a removed document is no longer
 * retrieved.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { auditTrail } from '../../functions/records/audit.js';
import { handrailCli } from '../support/cli.js';
import { minimalPdf } from '../support/pdf.js';
import { client, runtimeForSuite } from '../support/local-runtime.js';

const folder = mkdtempSync(join(tmpdir(), 'handrail-sync-'));
const runtime = runtimeForSuite();

const sync = (...extra: string[]) => handrailCli(runtime(), ['kb', 'sync', 'support', ...extra], { as: 'author@example.com' });
/** The sync of an S3 prefix, as an operator runs it with credentials for the store (here the runtime's embedded one). */
const syncS3 = (from: string) =>
  handrailCli(runtime(), ['kb', 'sync', 'support', '--from', from], {
    as: 'author@example.com',
    env: { AWS_ENDPOINT_URL_S3: runtime().emulators.s3Endpoint, HANDRAIL_S3_FORCE_PATH_STYLE: 'true', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' },
  });
const docs = async () => (await client(runtime()).get('/knowledge/support/documents')).body.documents as { docId: string; version: number; source?: { path: string; revision: string } }[];

describe('npx handrail kb sync', () => {
  it('adds the files of a folder, each with its path and the folder revision', async () => {
    writeFileSync(join(folder, 'Gift Cards.md'), '# Gift cards\n\nGift cards never expire.\n');
    writeFileSync(join(folder, 'loyalty.txt'), 'Loyalty points are worth one cent each.\n');
    const first = await sync('--from', folder);
    expect(first.stdout).toMatch(/^support: 2 added, 0 changed, 0 unchanged, 0 removed \(revision files:[0-9a-f]{16}\)\n$/);
    expect(first.stderr).toContain('[2/2] loyalty: added');
    const synced = (await docs()).filter((d) => d.source);
    expect(synced.map((d) => [d.docId, d.source!.path])).toEqual([['gift-cards', 'Gift Cards.md'], ['loyalty', 'loyalty.txt']]);
  });

  it('is idempotent: run again, nothing changes', async () => {
    const before = await docs();
    expect((await sync('--from', folder)).stdout).toMatch(/^support: 0 added, 0 changed, 2 unchanged, 0 removed /);
    expect(await docs()).toEqual(before);
  });

  it('versions a changed file, removes a file gone (only what it synced), and the removed one is no longer retrieved', async () => {
    writeFileSync(join(folder, 'loyalty.txt'), 'Loyalty points are worth two cents each.\n');
    rmSync(join(folder, 'Gift Cards.md'));
    const out = await sync('--from', folder);
    expect(out.stdout).toMatch(/^support: 0 added, 1 changed, 0 unchanged, 1 removed /);
    const now = await docs();
    expect(now.find((d) => d.docId === 'loyalty')?.version).toBe(2);
    expect(now.map((d) => d.docId)).not.toContain('gift-cards');
    // The sample articles, added without a sync, stay.
    expect(now.map((d) => d.docId)).toContain('refunds-and-billing-cycle');
    const history = (await client(runtime()).get('/knowledge/support/history?docId=gift-cards')).body.versions;
    expect(history.map((v: { version: number; removed?: boolean }) => [v.version, Boolean(v.removed)])).toEqual([[2, true], [1, false]]);
    expect((await client(runtime()).get('/knowledge/support/documents/gift-cards/versions/2')).body.text).toBeNull();
    expect((await client(runtime()).post('/knowledge/support/documents/gift-cards/restore', { version: 2 })).body.error.field).toBe('body.version');
    expect(await auditTrail('knowledge#support')).toContainEqual(expect.objectContaining({ type: 'knowledge.document_removed', details: expect.objectContaining({ docId: 'gift-cards', version: 2 }) }));
    const { search } = await import('../../functions/knowledge/retrieval.js');
    const found = await search({ collection: 'support', query: 'gift cards expire', topK: 4 });
    expect(found.passages.map((p) => p.docId)).not.toContain('gift-cards');
  });

  it('reads HTML and PDF files as their text, and skips a file with no text without removing its document', async () => {
    writeFileSync(join(folder, 'shipping.html'), '<!doctype html><html><head><title>Shipping times</title><script>track()</script><style>p{color:red}</style></head><body><nav>Home | Help</nav><h1>Shipping</h1><p>Orders ship within <b>two business days</b>. <a href="https://example.com/track">Track an order</a></p><ul><li>EU: 3 days</li><li>US: 5 days</li></ul></body></html>');
    writeFileSync(join(folder, 'warranty.pdf'), minimalPdf(['Every device has a two-year warranty.', 'Batteries are covered for one year.'], 'Warranty terms'));
    writeFileSync(join(folder, 'scanned.pdf'), minimalPdf([]));
    writeFileSync(join(folder, 'broken.pdf'), 'not a pdf at all');
    const out = await sync('--from', folder);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^support: 2 added, 0 changed, 1 unchanged, 0 removed, 2 skipped /);
    expect(out.stderr).toContain('skipped scanned.pdf: no text in it (a scanned PDF has only images of text)');
    expect(out.stderr).toMatch(/skipped broken\.pdf: .+/);
    const text = async (docId: string) => (await client(runtime()).get(`/knowledge/support/documents/${docId}/versions/1`)).body;
    const shipping = await text('shipping');
    expect(shipping).toMatchObject({ title: 'Shipping times' });
    expect(shipping.text).toContain('Orders ship within two business days. Track an order');
    expect(shipping.text).toContain('* EU: 3 days');
    for (const gone of ['track()', 'color:red', 'https://example.com', 'Home | Help']) expect(shipping.text).not.toContain(gone);
    const warranty = await text('warranty');
    expect(warranty).toMatchObject({ title: 'Warranty terms' });
    expect(warranty.text).toContain('Every device has a two-year warranty.\nBatteries are covered for one year.');
    const { search } = await import('../../functions/knowledge/retrieval.js');
    expect((await search({ collection: 'support', query: 'device warranty years', topK: 2 })).passages[0]?.docId).toBe('warranty');
    // Again: nothing changes; a file skipped before is still skipped, and nothing is removed for it.
    expect((await sync('--from', folder)).stdout).toMatch(/^support: 0 added, 0 changed, 3 unchanged, 0 removed, 2 skipped /);
    // A synced file that can no longer be read is skipped, and its document kept as it was.
    writeFileSync(join(folder, 'warranty.pdf'), minimalPdf([]));
    expect((await sync('--from', folder)).stdout).toMatch(/^support: 0 added, 0 changed, 2 unchanged, 0 removed, 3 skipped /);
    expect((await docs()).find((d) => d.docId === 'warranty')?.version).toBe(1);
    for (const f of ['shipping.html', 'warranty.pdf', 'scanned.pdf', 'broken.pdf']) rmSync(join(folder, f));
  });

  it('says what to fix for a missing folder or option (exit 2)', async () => {
    const missing = await sync('--from', join(folder, 'nope'));
    expect([missing.code, missing.stderr.trim()]).toEqual([2, `handrail: --from ${join(folder, 'nope')}: not a folder; give the folder the collection follows (or s3://bucket/prefix/)`]);
    expect((await sync()).code).toBe(2);
    const noBucket = await syncS3('s3://no-such-bucket/help/');
    expect(noBucket.code).toBe(2);
    expect(noBucket.stderr).toMatch(/^handrail: --from s3:\/\/no-such-bucket\/help\/: cannot list the prefix \(NoSuchBucket: .+\); check the bucket name and your AWS credentials\n$/);
  });

  it('follows a folder of a Git repository: cloned, its commit the revision, the clone removed after', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'handrail-sync-repo-'));
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, '-c', 'user.email=docs@example.com', '-c', 'user.name=Docs', ...args], { encoding: 'utf8' }).trim();
    git('init', '--quiet', '--initial-branch=main');
    mkdirSync(join(repo, 'docs'));
    writeFileSync(join(repo, 'docs', 'exchanges.md'), '# Exchanges\n\nExchanges are free within 14 days.\n');
    writeFileSync(join(repo, 'README.md'), '# Not synced: outside docs/\n');
    git('add', '.');
    git('commit', '--quiet', '-m', 'docs');
    const commit = git('rev-parse', 'HEAD');
    const clones = () => readdirSync(tmpdir()).filter((d) => d.startsWith('handrail-kb-git-')).length;
    const before = clones();
    const out = await sync('--from', `git+file://${repo}#main`, '--path', 'docs');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(new RegExp(`^support: 1 added, 0 changed, 0 unchanged, 0 removed \\(revision git:${commit}\\)\n$`));
    const exchanges = (await docs()).find((d) => d.docId === 'exchanges')!;
    expect(exchanges.source).toEqual({ from: `git+file://${repo}#main:docs`, path: 'exchanges.md', revision: `git:${commit}` });
    expect((await docs()).map((d) => d.docId)).not.toContain('readme');
    expect(clones()).toBe(before);
    // What to fix, in one line each (exit 2)
    const noRepo = await sync('--from', `git+file://${repo}-nope`);
    expect([noRepo.code, noRepo.stderr]).toEqual([2, expect.stringMatching(/^handrail: --from git\+file:\/\/.+-nope: cannot clone it \(.+\); check the URL\n$/)]);
    const noPath = await sync('--from', `git+file://${repo}`, '--path', 'manuals');
    expect([noPath.code, noPath.stderr]).toEqual([2, `handrail: --path manuals: no such folder in file://${repo}\n`]);
    expect((await sync('--from', folder, '--path', 'docs')).stderr).toBe('handrail: --path is for a Git repository (--from git+<url>); give the folder itself to --from\n');
    expect(clones()).toBe(before);
  });

  it('follows an S3 prefix: its objects under the prefix become documents, changes version them, objects gone are removed', async () => {
    const s3 = new S3Client({ endpoint: runtime().emulators.s3Endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    await s3.send(new CreateBucketCommand({ Bucket: 'help-center' }));
    const put = (Key: string, Body: string | Buffer) => s3.send(new PutObjectCommand({ Bucket: 'help-center', Key, Body }));
    await Promise.all([put('articles/returns.md', '# Returns\n\nReturns are free within 30 days.\n'), put('articles/guides/setup.html', '<title>Setup</title><p>Plug it in and hold the button.</p>'), put('articles/logo.png', 'not synced'), put('other/elsewhere.md', '# Elsewhere\n')]);
    const first = await syncS3('s3://help-center/articles');
    expect(first.code).toBe(0);
    // The folder's documents are another source's: this sync leaves them alone.
    expect(first.stdout).toMatch(/^support: 2 added, 0 changed, 0 unchanged, 0 removed \(revision s3:[0-9a-f]{16}\)\n$/);
    expect((await docs()).map((d) => d.docId)).toContain('loyalty');
    const synced = (await docs()).filter((d) => d.source && ['returns', 'setup'].includes(d.docId));
    expect(synced.map((d) => [d.docId, d.source!.path, (d.source as { from?: string }).from])).toEqual([['returns', 'returns.md', 's3://help-center/articles/'], ['setup', 'guides/setup.html', 's3://help-center/articles/']]);
    expect((await docs()).map((d) => d.docId)).not.toContain('elsewhere');
    expect((await syncS3('s3://help-center/articles/')).stdout).toMatch(/^support: 0 added, 0 changed, 2 unchanged, 0 removed /);
    await put('articles/returns.md', '# Returns\n\nReturns are free within 60 days.\n');
    await s3.send(new DeleteObjectCommand({ Bucket: 'help-center', Key: 'articles/guides/setup.html' }));
    expect((await syncS3('s3://help-center/articles/')).stdout).toMatch(/^support: 0 added, 1 changed, 0 unchanged, 1 removed /);
    expect((await docs()).find((d) => d.docId === 'returns')?.version).toBe(2);
  });
});
