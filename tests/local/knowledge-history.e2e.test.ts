/**
 * Knowledge history on the local runtime: every version of a document with who wrote it, the text
 * of any version, a diff between two (CLI), and a restore that adds a new version with an old
 * version's content, authored and audited as the caller; readers who may not see the collection
 * see none of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTrail } from '../../functions/records/audit.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { handrailCli } from '../support/cli.js';
import { client, pendingApprovalOf, startTestRuntime } from '../support/local-runtime.js';

const AUTHOR = 'author@example.com';
let rt: LocalRuntime;

beforeAll(async () => {
  delete process.env.SUPPORT_REPLY_URL;
  // Retrieval sees each new version at once.
  rt = await startTestRuntime({ env: { HANDRAIL_KNOWLEDGE_FRESHNESS_MS: '0' } });
  const author = client(rt, { as: AUTHOR });
  await author.post('/knowledge/support/documents', { fileName: 'returns.md', content: '# Returns\n\nReturns are accepted within 14 days.\n' });
  await author.post('/knowledge/support/documents', { fileName: 'returns.md', content: '# Returns\n\nReturns are accepted within 30 days.\n' });
}, 120_000);

afterAll(async () => {
  await rt?.stop();
});

const cli = (args: string[]) => handrailCli(rt, args, { as: AUTHOR });

describe('knowledge history', () => {
  it('lists every version of a document, newest first, with its author and hash; and of a collection', async () => {
    const { body } = await client(rt, { as: AUTHOR }).get('/knowledge/support/history?docId=returns');
    expect(body.versions.map((v: { version: number; author: string }) => [v.version, v.author])).toEqual([[2, AUTHOR], [1, AUTHOR]]);
    const all = (await client(rt, { as: 'auditor@example.com' }).get('/knowledge/support/history')).body.versions;
    expect(all.map((v: { docId: string }) => v.docId)).toEqual(expect.arrayContaining(['returns', 'refunds-and-billing-cycle']));
    expect((await cli(['kb', 'history', 'support', 'returns'])).stdout).toMatch(/ returns {2}v2 {2}sha256:[0-9a-f]{12} {2}author@example\.com {2}Returns\n.* returns {2}v1 /);
  });

  it('serves the text of a version, and the CLI diffs two', async () => {
    const v1 = await client(rt, { as: AUTHOR }).get('/knowledge/support/documents/returns/versions/1');
    expect(v1.body).toMatchObject({ docId: 'returns', version: 1, text: '# Returns\n\nReturns are accepted within 14 days.\n' });
    expect((await client(rt).get('/knowledge/support/documents/returns/versions/9')).status).toBe(404);
    expect((await client(rt).get('/knowledge/support/documents/returns/versions/x')).status).toBe(404);
    const diff = (await cli(['kb', 'diff', 'support/returns', '1', '2'])).stdout;
    expect(diff).toContain('-Returns are accepted within 14 days.');
    expect(diff).toContain('+Returns are accepted within 30 days.');
    const bad = await cli(['kb', 'diff', 'returns', '1', '2']);
    expect([bad.code, bad.stderr.trim()]).toEqual([2, 'handrail: "returns": name the document as <collection>/<doc>, e.g. support/refunds-and-billing-cycle']);
  });

  it("restores an old version as a new one, by the caller, audited with where it came from", async () => {
    const out = (await cli(['kb', 'restore', 'support/returns', '1', '--reason', '30 days was a mistake'])).stdout;
    expect(out).toBe('support/returns v3 (the content of v1)\n');
    const v3 = (await client(rt, { as: AUTHOR }).get('/knowledge/support/documents/returns/versions/3')).body;
    expect(v3).toMatchObject({ author: AUTHOR, text: '# Returns\n\nReturns are accepted within 14 days.\n' });
    expect(await auditTrail('knowledge#support')).toContainEqual(expect.objectContaining({ type: 'knowledge.version_added', actor: AUTHOR, details: expect.objectContaining({ docId: 'returns', version: 3, restoredFrom: 1, reason: '30 days was a mistake' }) }));
    // Restoring what is already the latest content adds nothing.
    expect((await client(rt, { as: AUTHOR }).post('/knowledge/support/documents/returns/restore', { version: 1 })).body.unchanged).toBe(true);
  });

  it('says which runs searched a version, so a change in answers can be traced to a knowledge update', async () => {
    const author = client(rt, { as: AUTHOR });
    const put = (content: string) => author.post('/knowledge/support/documents', { fileName: 'warranty.md', content });
    const run = async (ticketId: string) => {
      const { runId } = (await client(rt).post('/webhooks/support-reply', { ticketId, subject: 'Warranty', body: 'How long is the warranty on my device?' })).body;
      await pendingApprovalOf(rt, runId);
      return runId;
    };
    expect((await put('# Warranty\n\nDevices carry a one-year warranty.\n')).body.version).toBe(1);
    const before = await run('T-warranty-1');
    expect((await put('# Warranty\n\nDevices carry a two-year warranty.\n')).body.version).toBe(2);
    const after = await run('T-warranty-2');

    const usedBy = async (v: number) => (await client(rt, { as: 'auditor@example.com' }).get(`/knowledge/support/documents/warranty/versions/${v}/runs`)).body.runs.map((r: { runId: string }) => r.runId);
    expect(await usedBy(1)).toEqual([before]);
    expect(await usedBy(2)).toEqual([after]);
    expect((await client(rt).get('/knowledge/support/documents/warranty/versions/7/runs')).status).toBe(404);
    expect((await cli(['kb', 'runs', 'support/warranty', '2'])).stdout).toMatch(new RegExp(`^${after}  snapshot [0-9a-f]{16}\n$`));
    // The history lists documents only, never the snapshots kept beside them.
    expect((await author.get('/knowledge/support/history')).body.versions.every((v: { docId?: string }) => typeof v.docId === 'string')).toBe(true);
  });

  it("is only for the collection's readers and writers", async () => {
    expect((await client(rt, { as: AUTHOR }).get('/knowledge/sales/history')).status).toBe(403);
    expect((await client(rt, { as: 'support-agent@example.com' }).get('/knowledge/support/history')).status).toBe(403);
    expect((await client(rt, { as: AUTHOR }).post('/knowledge/sales/documents/returns/restore', { version: 1 })).status).toBe(403);
  });
});
