/**
 * Knowledge sync from a folder (issue 13, item 2): adds and changes versions only for changed files,
 * removes documents whose files are gone (only those the folder synced), records the folder's
 * revision on each version, and changes nothing when run again; a removed document is no longer
 * retrieved.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditTrail } from '../../functions/records/audit.js';
import { handrailCli } from '../support/cli.js';
import { client, runtimeForSuite } from '../support/local-runtime.js';

const folder = mkdtempSync(join(tmpdir(), 'handrail-sync-'));
const runtime = runtimeForSuite();

const sync = (...extra: string[]) => handrailCli(runtime(), ['kb', 'sync', 'support', ...extra], { as: 'author@example.com' });
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

  it('says what to fix for a missing folder or option (exit 2)', async () => {
    const missing = await sync('--from', join(folder, 'nope'));
    expect([missing.code, missing.stderr.trim()]).toEqual([2, `handrail: --from ${join(folder, 'nope')}: not a folder; give the folder the collection follows`]);
    expect((await sync()).code).toBe(2);
  });
});
