/**
 * The README tour, as each role walks it on the local runtime: signed in through the embedded
 * issuer (the ID tokens `npx handrail login` prints), a sender starts a run, an author adds the
 * knowledge it cites and follows the run, the reviewer finds it in their own queue and decides, and
 * an auditor reads everything that happened without being able to change any of it. Each role is
 * refused what is not theirs, and the refusals are audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTrail } from '../../functions/records/audit.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { client, pendingApprovalOf, startSignedReceiver, startTestRuntime, waitForRun } from '../support/local-runtime.js';

const AUTHOR = 'author@example.com';
const REVIEWER = 'support-agent@example.com';
const AUDITOR = 'auditor@example.com';

let rt: LocalRuntime;
let receiver: Awaited<ReturnType<typeof startSignedReceiver>>;
let runId: string;
let approvalId: string;

beforeAll(async () => {
  rt = await startTestRuntime();
  receiver = await startSignedReceiver(rt.deliverySecret);
  process.env.SUPPORT_REPLY_URL = receiver.url;
}, 120_000);

afterAll(async () => {
  await receiver?.close();
  await rt?.stop();
});

describe('the tour, role by role', () => {
  it('an author adds the knowledge the draft will cite, as themselves', async () => {
    const author = client(rt, { as: AUTHOR });
    const put = await author.post('/knowledge/support/documents', { fileName: 'loyalty-refunds.md', content: '# Loyalty refunds\n\nCustomers on an annual plan for three years get a full loyalty refund of unused months.' });
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({ collection: 'support', docId: 'loyalty-refunds', author: AUTHOR });
  });

  it('the sender starts a run with a signed webhook; the author follows it but cannot decide or read usage', async () => {
    const started = await client(rt, { as: null }).post('/webhooks/support-reply', { ticketId: 'T-tour', subject: 'Loyalty refund', body: 'I have been on the annual plan for three years; can I get a loyalty refund?' });
    expect(started.status).toBe(202);
    runId = started.body.runId;
    approvalId = (await pendingApprovalOf(rt, runId)).approvalId;

    const author = client(rt, { as: AUTHOR });
    const run = await author.get(`/runs/${runId}`);
    expect(run.status).toBe(200);
    const passages = run.body.steps.find((s: { kind: string }) => s.kind === 'retrieve').output.passages;
    expect(passages.map((p: { docId: string }) => p.docId)).toContain('loyalty-refunds');
    expect((await author.get('/approvals')).status).toBe(403);
    expect((await author.post(`/approvals/${approvalId}/decision`, { action: 'approve', draftHash: 'x' })).status).toBe(403);
    expect((await author.get('/usage?day=2025-03-01')).status).toBe(403);
  });

  it('the reviewer finds the request in their own queue, with only their own link, and decides', async () => {
    const reviewer = client(rt, { as: REVIEWER });
    const queue = await reviewer.get('/approvals');
    expect(queue.body.approvals.map((a: { approvalId: string }) => a.approvalId)).toContain(approvalId);
    const approval = await reviewer.get(`/approvals/${approvalId}`);
    expect(Object.keys(approval.body.reviewLinks)).toEqual([REVIEWER]);
    const page = await fetch(approval.body.reviewLinks[REVIEWER]);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Loyalty refunds');
    // Not theirs: the runs explorer, knowledge, keys.
    expect((await reviewer.get(`/runs/${runId}`)).status).toBe(403);
    expect((await reviewer.post('/knowledge/support/documents', { fileName: 'x.md', content: '# X\n\nx' })).status).toBe(403);
    expect((await reviewer.get('/api-keys')).status).toBe(403);

    const decided = await reviewer.post(`/approvals/${approvalId}/decision`, { action: 'edit', draftHash: approval.body.draftHash, text: 'Hi, after three years on the annual plan you get a full loyalty refund of the unused months.', reasonCode: 'tone' });
    expect(decided.status).toBe(200);
    const delivered = await waitForRun(rt, runId, ['delivered']);
    expect(delivered.status).toBe('delivered');
    expect(receiver.received.at(-1)!.body.text).toContain('loyalty refund');
  });

  it('the auditor reads the run, its decision and the usage, and can change nothing', async () => {
    const auditor = client(rt, { as: AUDITOR });
    const run = await auditor.get(`/runs/${runId}`);
    expect(run.status).toBe(200);
    expect(run.body.approvals[0]).toMatchObject({ status: 'edited', decision: { action: 'edit', reviewer: REVIEWER, channel: 'api', reasonCode: 'tone' } });
    expect(run.body.status).toBe('delivered');
    expect(run.body.audit.map((e: { type: string; actor: string }) => [e.type, e.actor])).toContainEqual(['approval.decided', REVIEWER]);
    const approval = await auditor.get(`/approvals/${approvalId}`);
    expect(approval.body.reviewLinks).toEqual({});
    expect((await auditor.get(`/usage?workflowId=support-reply&day=${new Date().toISOString().slice(0, 10)}`)).status).toBe(200);
    expect((await auditor.get('/knowledge/support/documents')).status).toBe(200);

    const before = (await auditTrail('access')).length;
    expect((await auditor.post(`/approvals/${approvalId}/decision`, { action: 'approve', draftHash: 'x' })).status).toBe(403);
    expect((await auditor.post('/knowledge/support/documents', { fileName: 'x.md', content: '# X\n\nx' })).status).toBe(403);
    expect((await auditor.post('/api-keys', { name: 'x', workflows: ['support-reply'] })).status).toBe(403);
    expect((await auditor.post('/users/disable', { userId: REVIEWER, reason: 'x' })).status).toBe(403);
    const refusals = (await auditTrail('access')).slice(before);
    expect(refusals.map((e) => [e.type, e.actor, (e.details as { route: string }).route])).toEqual([
      ['access.denied', AUDITOR, 'POST /approvals/{approvalId}/decision'],
      ['access.denied', AUDITOR, 'POST /knowledge/{collection}/documents'],
      ['access.denied', AUDITOR, 'POST /api-keys'],
      ['access.denied', AUDITOR, 'POST /users/disable'],
    ]);
  });
});
