/**
 * Durable waits end to end: the local runtime is killed with SIGKILL while runs wait for approval
 * and started again on the same data dir. Every pending approval is still there and decidable,
 * and each run then completes exactly once (one delivery per approved or edited run, none for
 * the rejected one).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killChild, startChildRuntime } from '../../bench/child-runtime.js';
import { client, decideAs, startSignedReceiver, waitFor } from '../support/local-runtime.js';

const REVIEWER = 'support-agent@example.com';

let dataDir: string;
let children: ChildProcess[] = [];
let receiver: Awaited<ReturnType<typeof startSignedReceiver>> | undefined;

async function startChild(env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  const started = await startChildRuntime(dataDir, env);
  children.push(started.child);
  return started;
}
const kill = killChild;

const ticket = (id: string) => ({
  ticketId: id,
  subject: 'Refund for my annual plan',
  body: 'Hello, I was charged for the annual plan last week. How do I get a refund?',
  customerEmail: 'pat@example.com',
});

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'handrail-durable-'));
});

afterAll(async () => {
  for (const child of children) await kill(child);
  children = [];
  await receiver?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('durable waits on the local runtime', () => {
  it('keeps pending approvals across a SIGKILL; each run then completes exactly once', { timeout: 300_000 }, async () => {
    // Arrange: three runs waiting for approval on the first runtime
    const first = await startChild();
    let api = client(first);
    const runIds: string[] = [];
    for (const id of ['T-201', 'T-202', 'T-203']) {
      const res = await api.post('/webhooks/support-reply', ticket(id));
      expect(res.status).toBe(202);
      runIds.push(res.body.runId);
    }
    const approvalIds: string[] = [];
    for (const runId of runIds) {
      const pending = await waitFor(async () => {
        const run = await api.get(`/runs/${runId}`);
        return run.body?.status === 'awaiting_approval' && run.body.approvals?.find((a: any) => a.status === 'pending');
      }, `a pending approval on ${runId}`, 60_000);
      approvalIds.push(pending.approvalId);
    }

    // Act: kill it outright, start again on the same data dir, delivering to a receiver
    await kill(first.child);
    const signingSecret = readFileSync(join(dataDir, 'signing-secret'), 'utf8').trim();
    receiver = await startSignedReceiver(readFileSync(join(dataDir, 'delivery-secret'), 'utf8').trim());
    const second = await startChild({ SUPPORT_REPLY_URL: receiver.url });
    api = client(second);

    // Assess: every approval is still pending and the runs still await it
    const inbox = await api.get('/approvals?status=pending');
    expect(inbox.status).toBe(200);
    expect(inbox.body.approvals.map((a: any) => a.approvalId)).toEqual(expect.arrayContaining(approvalIds));
    for (const runId of runIds) expect((await api.get(`/runs/${runId}`)).body.status).toBe('awaiting_approval');

    // Act: decide each (approve, edit, reject)
    const edited = 'Hi Pat, you are within the 30-day window, so we have refunded the unused months.';
    const decisions = [{ action: 'approve' as const }, { action: 'edit' as const, text: edited }, { action: 'reject' as const, reason: 'wrong policy' }];
    const rt = { url: second.url, signingSecret };
    for (const [i, decision] of decisions.entries()) {
      const approval = (await api.get(`/approvals/${approvalIds[i]}`)).body;
      expect(approval.status).toBe('pending');
      const reasonCode = decision.action !== 'approve' && Array.isArray(approval.reasons) ? approval.reasons[0] : undefined;
      const res = await decideAs(rt, approval, REVIEWER, { ...decision, ...(reasonCode ? { reasonCode } : {}) });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }

    // Assess: approved and edited runs delivered once each, the rejected one never
    const expected = ['delivered', 'delivered', 'rejected'];
    const finals = [];
    for (const [i, runId] of runIds.entries()) {
      finals.push(
        await waitFor(async () => {
          const run = await api.get(`/runs/${runId}`);
          return run.body?.status === expected[i] && run.body;
        }, `run ${runId} to be ${expected[i]}`, 60_000),
      );
    }
    await new Promise((r) => setTimeout(r, 500)); // room for a duplicate delivery to show up
    const deliveriesOf = (runId: string) => receiver!.received.filter((r) => r.body.runId === runId);
    expect(deliveriesOf(runIds[0]!)).toHaveLength(1);
    expect(deliveriesOf(runIds[0]!)[0]!.body.text).toBe(finals[0].approvals[0].draft.text);
    expect(deliveriesOf(runIds[1]!)).toHaveLength(1);
    expect(deliveriesOf(runIds[1]!)[0]!.body.text).toBe(edited);
    expect(deliveriesOf(runIds[2]!)).toHaveLength(0);
    expect(receiver.received).toHaveLength(2);
    expect(receiver.rejected).toBe(0);
    expect(finals[2].delivery).toBeUndefined();
  });
});
