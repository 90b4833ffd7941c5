/**
 * Knowledge labels: an author freezes a collection's latest versions under a name; a workflow whose
 * retrieve step pins that label reads exactly those versions, whatever is added after, and its
 * release says so. Labels never move, and only the collection's writers make them.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { search } from '../../functions/knowledge/retrieval.js';
import { auditTrail } from '../../functions/records/audit.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { defaultWorkflowsDir } from '../../state-machines/load-workflow.js';
import { handrailCli } from '../support/cli.js';
import { client, pendingApprovalOf, startTestRuntime } from '../support/local-runtime.js';

const AUTHOR = 'author@example.com';
let rt: LocalRuntime;

beforeAll(async () => {
  delete process.env.SUPPORT_REPLY_URL;
  // support-reply, pinned to the label "stable" of the support collection.
  const workflowsDir = mkdtempSync(join(tmpdir(), 'handrail-labels-'));
  cpSync(defaultWorkflowsDir, workflowsDir, { recursive: true });
  const file = join(workflowsDir, 'support-reply.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace('    collection: support\n', '    collection: support\n    label: stable\n'));
  rt = await startTestRuntime({ workflowsDir, env: { HANDRAIL_KNOWLEDGE_FRESHNESS_MS: '0' } });
}, 120_000);

afterAll(async () => {
  await rt?.stop();
});

describe('knowledge labels', () => {
  it("freezes the latest versions under a name, once; only the collection's writers make one", async () => {
    const author = client(rt, { as: AUTHOR });
    const made = await author.post('/knowledge/support/labels', { label: 'stable' });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ collection: 'support', label: 'stable', createdBy: AUTHOR, versions: { 'refunds-and-billing-cycle': 1 } });
    const again = await author.post('/knowledge/support/labels', { label: 'stable' });
    expect([again.status, again.body.error.message]).toEqual([409, 'The label "stable" of support exists already; labels never move: choose a new name']);
    expect((await author.post('/knowledge/support/labels', { label: 'Not OK' })).body.error.field).toBe('body.label');
    expect((await client(rt, { as: 'support-agent@example.com' }).post('/knowledge/support/labels', { label: 'mine' })).status).toBe(403);
    expect((await auditTrail('knowledge#support')).filter((e) => e.type === 'knowledge.labelled').map((e) => [e.actor, (e.details as { label: string }).label])).toEqual([[AUTHOR, 'stable']]);
    const listed = await handrailCli(rt, ['kb', 'labels', 'support'], { as: AUTHOR });
    expect(listed.stdout).toMatch(/^stable {2}\d+ document\(s\) {2}\(author@example\.com, /);
  });

  it('a workflow pinned to the label never reads what was added after it, and its release names the label', async () => {
    const added = await client(rt, { as: AUTHOR }).post('/knowledge/support/documents', { fileName: 'warranty.md', content: '# Warranty\n\nDevices carry a two-year warranty on every part.\n' });
    expect(added.status).toBe(201);
    const { runId } = (await client(rt).post('/webhooks/support-reply', { ticketId: 'T-label', subject: 'Warranty', body: 'How long is the warranty on every part of my device?' })).body;
    await pendingApprovalOf(rt, runId);
    const run = (await client(rt).get(`/runs/${runId}`)).body;
    const retrieve = run.steps.find((s: { kind: string }) => s.kind === 'retrieve');
    expect(retrieve.input).toMatchObject({ collection: 'support', label: 'stable' });
    expect(retrieve.output.passages.map((p: { docId: string }) => p.docId)).not.toContain('warranty');
    // Unpinned, the same query finds it first.
    const latest = await search({ collection: 'support', query: retrieve.input.query, topK: 4 });
    expect(latest.passages[0]!.docId).toBe('warranty');
    const release = (await client(rt).get(`/releases/${run.releaseId}`)).body;
    expect(release.manifest.knowledge).toEqual({ support: 'stable' });
  });
});
