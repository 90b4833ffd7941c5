/**
 * The kb-update workflow end to end on the local runtime with the offline provider: a resolved
 * ticket in (a signed webhook) → the support article it concerns read whole → a proposed edit (the
 * article with a new section from the resolution, labelled offline) → its owner sees the diff
 * against the current version and approves with an edit → exactly one new version with the edited
 * text, authored by the owner and audited, in the document's history → the next support reply
 * retrieves and cites that version. A rejected proposal, or a Zendesk-signed one, writes nothing
 * until approved; a forged call starts nothing.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OFFLINE_REVISION_NOTE } from '../../functions/gateway/providers/offline.js';
import { auditTrail } from '../../functions/records/audit.js';
import { signReviewToken } from '../../functions/shared/review-link.js';
import { zendeskSecretName } from '../../functions/triggers/webhook-secrets.js';
import { zendeskSignedHeaders } from '../../functions/triggers/zendesk-signature.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { webhookSecretIn } from '../../local/signing-secret-file.js';
import { client, decideAs, pendingApprovalOf, startTestRuntime, waitForRun } from '../support/local-runtime.js';

let rt: LocalRuntime;
let api: ReturnType<typeof client>;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'handrail-test-'));
  rt = await startTestRuntime({ dataDir });
  api = client(rt);
}, 120_000);

afterAll(async () => {
  await rt?.stop();
});

const ARTICLE = 'password-reset-and-2fa';
const resolved = {
  ticketId: '4711',
  subject: 'Password reset link says it has expired',
  body: 'I clicked the reset link from your email and the page says the link has expired. What now?',
  resolution: 'Reset links expire after 30 minutes and only the newest link works. Ask the customer to select "Forgot password?" again and use the link in the newest email; older emails show "This link has expired".',
  resolvedBy: 'support-agent@example.com',
  // What a helpdesk sends besides: dropped before the run is stored.
  status: 'solved',
};

const history = async (docId: string) => (await api.get(`/knowledge/support/history?docId=${docId}`)).body.versions as any[];

describe('kb-update on the local runtime', () => {
  it('proposes an edit of the article a resolved ticket concerns, shows its owner the diff, and writes the approved edit once as a new version that the next support reply cites', async () => {
    const before = await history(ARTICLE);
    expect(before.map((v) => v.version)).toEqual([1]);
    const current = (await api.get(`/knowledge/support/documents/${ARTICLE}/versions/1`)).body.text as string;

    // Act: the resolved ticket arrives, signed with the workflow's Standard Webhooks secret
    const started = await api.post('/webhooks/kb-update', resolved);
    expect(started.status).toBe(202);
    const { runId } = started.body;
    const approval = await pendingApprovalOf(rt, runId);

    // Assess: the article was read whole and the proposal is that article with a new, offline-labelled section
    const { steps } = (await api.get(`/runs/${runId}`)).body;
    const step = (id: string) => steps.find((s: any) => s.stepId === id);
    expect(step('find_article').output.document).toMatchObject({ collection: 'support', docId: ARTICLE, version: 1, text: current });
    const proposed: string = step('propose_edit').output.text;
    expect(step('propose_edit').output).toMatchObject({ provider: 'offline', revision: { collection: 'support', docId: ARTICLE, baseVersion: 1 } });
    expect(proposed).toBe(`${current.trimEnd()}\n\n## ${resolved.subject}\n\n${OFFLINE_REVISION_NOTE}\n\n${resolved.resolution}\n`);

    // The owner reviews it: the request names the article and the diff against its current version
    expect(approval.reviewers).toEqual(['kb-owner@example.com']);
    expect(approval.draft.text).toBe(proposed);
    expect(approval.proposal).toMatchObject({ collection: 'support', docId: ARTICLE, baseVersion: 1 });
    expect(approval.proposal.diff).toContain(`+## ${resolved.subject}`);
    expect(approval.proposal.diff).toContain(`+${OFFLINE_REVISION_NOTE}`);
    expect(approval.proposal.diff.split('\n').filter((l: string) => l.startsWith('-') && !l.startsWith('---'))).toEqual([]);
    const link = signReviewToken(rt.signingSecret, { approvalId: approval.approvalId, reviewer: 'kb-owner@example.com', expiresAt: Math.floor(Date.now() / 1000) + 600 });
    const page = await client(rt, { as: null }).get(`/review/${link}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Proposed knowledge edit');
    expect(page.text).toMatch(/a new version of <strong>Password reset and two-factor authentication<\/strong> \(<code>support\/password-reset-and-2fa<\/code>, now v1\)/);
    expect(page.text).toContain(`<span class="add">+## ${resolved.subject}</span>`);
    // Nothing is written while the owner decides
    expect((await history(ARTICLE)).map((v) => v.version)).toEqual([1]);

    // Act: the owner approves with an edit (the offline label gone, the wording theirs)
    const edited = `${current.trimEnd()}\n\n## The reset link has expired\n\nA reset link expires after 30 minutes, and only the newest one works. If the page says "This link has expired", select "Forgot password?" again and open the link in the newest email.\n`;
    const decided = await decideAs(rt, approval, 'kb-owner@example.com', { action: 'edit', text: edited, reasonCode: 'incomplete' });
    expect(decided.status).toBe(200);
    const run = await waitForRun(rt, runId, ['delivered']);

    // Assess: exactly one new version, with the edited text, authored by the owner, in the history
    const after = await history(ARTICLE);
    expect(after.map((v) => [v.version, v.author])).toEqual([[2, 'kb-owner@example.com'], [1, before[0].author]]);
    expect(after[0].runId).toBe(runId);
    const v2 = await api.get(`/knowledge/support/documents/${ARTICLE}/versions/2`);
    // The decision's text, as decisions take it (trimmed).
    expect(v2.body.text).toBe(edited.trim());
    expect(run.delivery).toMatchObject({ status: 'delivered', url: `knowledge:support/${ARTICLE}`, knowledge: { docId: ARTICLE, baseVersion: 1, version: 2 } });
    expect(step('publish_edit')).toBeUndefined();
    const delivered = (await api.get(`/runs/${runId}`)).body.steps.find((s: any) => s.stepId === 'publish_edit');
    expect(delivered).toMatchObject({ status: 'succeeded', output: { docId: ARTICLE, version: 2, written: true } });
    const added = (await auditTrail('knowledge#support')).filter((e) => e.type === 'knowledge.version_added' && (e.details as any).docId === ARTICLE && (e.details as any).version === 2);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ actor: 'kb-owner@example.com', details: { runId } });

    // Act: the next ticket about it goes through support-reply
    const reply = await api.post('/webhooks/support-reply', { ticketId: '4712', subject: 'Reset link expired', body: 'The page says my reset link has expired. What should I do?' });
    expect(reply.status).toBe(202);
    const replyApproval = await pendingApprovalOf(rt, reply.body.runId);

    // Assess: its retrieval read the new version, and the draft cites it
    const replySteps = (await api.get(`/runs/${reply.body.runId}`)).body.steps;
    const passages = replySteps.find((s: any) => s.stepId === 'retrieve_context').output.passages;
    expect(passages.filter((p: any) => p.docId === ARTICLE).map((p: any) => p.version)).toEqual(expect.arrayContaining([2]));
    expect(passages.some((p: any) => p.docId === ARTICLE && p.version === 1)).toBe(false);
    expect(replyApproval.draft.text).toContain(`(${ARTICLE}@v2)`);
    expect(replyApproval.draft.text).toMatch(/newest/);
  });

  it('writes nothing when the owner rejects the proposal (here from a Zendesk-signed trigger)', async () => {
    const versions = (await history('data-export')).map((v) => v.version);
    const body = JSON.stringify({ ticketId: '4800', subject: 'Export to spreadsheet', body: 'Can I export my data to Excel?', resolution: 'Settings → Export produces a CSV file that Excel opens.', status: 'solved', requester: { email: 'pat@example.com' } });
    const secret = webhookSecretIn(dataDir, zendeskSecretName('kb-update'));
    const forged = await fetch(`${rt.url}/webhooks/kb-update`, { method: 'POST', headers: { 'content-type': 'application/json', ...zendeskSignedHeaders('not-the-secret', body) }, body });
    expect(forged.status).toBe(401);
    const res = await fetch(`${rt.url}/webhooks/kb-update`, { method: 'POST', headers: { 'content-type': 'application/json', ...zendeskSignedHeaders(secret, body) }, body });
    expect(res.status).toBe(202);
    const { runId } = (await res.json()) as { runId: string };
    const approval = await pendingApprovalOf(rt, runId);
    expect(approval.proposal).toMatchObject({ docId: 'data-export' });

    expect((await decideAs(rt, approval, 'support-agent@example.com', { action: 'approve' })).status).toBe(403);
    expect((await decideAs(rt, approval, 'kb-owner@example.com', { action: 'reject', reasonCode: 'duplicate', reason: 'already covered' })).status).toBe(200);
    await waitForRun(rt, runId, ['rejected']);
    expect((await history('data-export')).map((v) => v.version)).toEqual(versions);
  });

  it('refuses a resolved ticket without its resolution, naming the field', async () => {
    const { resolution: _r, ...rest } = resolved;
    const res = await api.post('/webhooks/kb-update', rest);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('resolution');
  });
});
