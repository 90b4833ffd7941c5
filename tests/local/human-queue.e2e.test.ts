/**
 * The human queue has an owner, end to end on the local runtime: a run whose delivery keeps
 * failing, or whose model step fails for good, fails its execution at that state, lands in the
 * queue (delivery_failed / needs_human), and the workflow's owners get an email with the error and
 * the run's link; past the SLA the sweep counts it and reminds them once per period;
 * `npx handrail runs redrive` / POST /runs/{runId}/redrive resumes it at the failed step
 * (RedriveExecution on the local Step Functions endpoint) without asking the reviewer again.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime.js';
import { chatOk, openaiError, startFakeServer, type FakeServer } from '../support/fake-model-servers.js';
import { ENV } from '../../functions/shared/env-names.js';
import { executionArnOf } from '../../functions/shared/live-alias.js';
import { handrailCli } from '../support/cli.js';
import { client, decideAs, pendingApprovalOf, startSignedReceiver, startTestRuntime, TEST_ADMIN, waitFor, waitForRun } from '../support/local-runtime.js';

const workflowsDir = fileURLToPath(new URL('../fixtures/queue-workflows', import.meta.url));
let rt: LocalRuntime;
let api: ReturnType<typeof client>;
let receiver: Awaited<ReturnType<typeof startSignedReceiver>>;
let openai: FakeServer;

beforeAll(async () => {
  openai = await startFakeServer(openaiError(500, 'the model is down'));
  rt = await startTestRuntime({
    workflowsDir,
    env: { HANDRAIL_PROVIDERS: 'openai,offline', OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: `${openai.url}/v1`, HANDRAIL_DELIVERY_BACKOFF_MS: '10' },
  });
  api = client(rt);
  receiver = await startSignedReceiver(rt.deliverySecret, 503);
  process.env.OWNED_DELIVERY_URL = receiver.url;
  process.env.OWNED_MODEL_URL = receiver.url;
  process.env.UNOWNED_URL = receiver.url;
}, 120_000);

afterAll(async () => {
  await rt?.stop();
  await Promise.all([receiver?.close(), openai?.close()]);
});

const ownersMail = async (runId: string) => (await api.get(`/outbox?runId=${encodeURIComponent(runId)}`)).body.messages as any[];

/** Fires the schedules at `time` (fake time); the reminders function's answer is the one with the queue sweep. */
const sweepAt = async (time: Date): Promise<any> => (await rt.runSchedules(time)).find((r: any) => r && typeof r === 'object' && 'queue' in r);
const runCli = (args: string[]) => handrailCli(rt, args, { as: TEST_ADMIN });

describe('the human queue', () => {
  let deliveryRunId: string;

  it('puts an approved run whose delivery keeps failing in the queue (delivery_failed) and emails its owners the error and the link', { timeout: 60_000 }, async () => {
    const { runId } = (await api.post('/webhooks/owned-delivery', { subject: 'Refund please' })).body;
    deliveryRunId = runId;
    const approval = await pendingApprovalOf(rt, runId);
    expect((await decideAs(rt, approval, 'support-agent@example.com', { action: 'approve' })).status).toBe(200);
    const run = await waitForRun(rt, runId, ['delivery_failed']);
    expect(run).toMatchObject({ status: 'delivery_failed', error: { error: 'DeliveryFailed' }, humanQueue: 'open' });
    expect(Date.parse(run.queueDueAt) - Date.parse(run.queuedAt)).toBe(3600_000);
    // The execution failed at the deliver state: that is where a redrive continues.
    const execution = await rt.engine.describeExecution(executionArnOf(process.env[ENV.stateMachinePrefix]!, 'owned-delivery', runId));
    expect(execution).toMatchObject({ status: 'FAILED', error: 'DeliveryFailed', redriveStatus: 'REDRIVABLE' });

    const mail = await waitFor(async () => {
      const m = await ownersMail(runId);
      return m.length === 2 && m;
    }, "the owners' emails");
    // group:support-leads, expanded as the release resolved it
    expect(mail.map((m) => m.to).sort()).toEqual(['head-of-support@example.com', 'support-lead@example.com']);
    expect(mail[0].subject).toBe(`[Handrail] Delivery failed: owned-delivery run ${runId}`);
    expect(mail[0].links).toEqual([`${rt.url}/console/runs/${runId}`]);
    const eml = (await api.get(`/outbox/${mail[0].id}`)).text.replace(/=\r?\n/g, ''); // quoted-printable soft breaks
    expect(eml).toContain('Error: DeliveryFailed');
    // The Lambda error's message, not its JSON envelope
    expect(eml).toContain(`Cause: deliver send: ${receiver.url} did not accept the delivery after 2 attempt(s): HTTP 503`);
    expect(eml).toContain(`npx handrail runs redrive ${runId}`);
    const sent = run.audit.filter((e: any) => e.type === 'notification.sent');
    await waitFor(async () => (await api.get(`/runs/${runId}`)).body.audit.some((e: any) => e.type === 'notification.sent' && e.details.about === 'human_queue'), 'the notification audit event');
    expect(sent.every((e: any) => e.details.about === 'human_queue' || e.details.approvalId)).toBe(true);
    // Listed in the queue
    const queue = (await api.get('/runs?workflowId=owned-delivery&status=delivery_failed')).body.runs.map((r: any) => r.runId);
    expect(queue).toContain(runId);
  });

  it('counts a run past its SLA and reminds the owners once per SLA period, never twice for one', { timeout: 60_000 }, async () => {
    const run = (await api.get(`/runs/${deliveryRunId}`)).body;
    const before = (await ownersMail(deliveryRunId)).length;
    const early = (await sweepAt(new Date(Date.parse(run.queueDueAt) - 60_000))) as any;
    expect(early.queue.reminded).toBe(0);
    const late = new Date(Date.parse(run.queueDueAt) + 60_000);
    const first = (await sweepAt(late)) as any;
    expect(first.queue).toMatchObject({ reminded: 1 });
    expect(first.queue.pastSla).toBeGreaterThanOrEqual(1);
    // The same moment again (an overlapping sweep): no second reminder.
    expect(((await sweepAt(late)) as any).queue.reminded).toBe(0);
    const mail = await ownersMail(deliveryRunId);
    expect(mail.length).toBe(before + 2);
    expect(mail.filter((m) => m.subject.startsWith('[Handrail] Past its SLA: ')).length).toBe(2);
    // One period later: reminded again.
    expect(((await sweepAt(new Date(late.getTime() + 3600_000))) as any).queue.reminded).toBe(1);
  });

  it('redrives the run at the deliver step once the receiver is back: delivered, the reviewer not asked again, audited with who and why', { timeout: 60_000 }, async () => {
    receiver.setStatus(200);
    const before = (await api.get(`/runs/${deliveryRunId}`)).body;
    const res = await api.post(`/runs/${deliveryRunId}/redrive`, { reason: 'receiver fixed' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ runId: deliveryRunId, status: 'running', from: 'delivery_failed', redriveCount: 1 });
    const run = await waitForRun(rt, deliveryRunId, ['delivered']);
    expect(run.approvals).toHaveLength(before.approvals.length);
    expect(run.humanQueue).toBeUndefined();
    expect(run.error).toBeUndefined();
    expect(receiver.received.filter((r) => r.body.runId === deliveryRunId)).toHaveLength(1);
    const redriven = run.audit.find((e: any) => e.type === 'run.redriven');
    expect(redriven).toMatchObject({ actor: 'admin@example.com', details: { from: 'delivery_failed', reason: 'receiver fixed', redriveCount: 1 } });
    // A delivered run is not redrivable: 409 naming the status.
    const again = await api.post(`/runs/${deliveryRunId}/redrive`, {});
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('is delivered');
  });

  it('puts a run whose model step fails for good in the queue (needs_human); the CLI redrives it at that step once the model answers', { timeout: 90_000 }, async () => {
    receiver.setStatus(200);
    const { runId } = (await api.post('/webhooks/owned-model', { question: 'How do refunds work?' })).body;
    const run = await waitForRun(rt, runId, ['needs_human']);
    expect(run.audit.find((e: any) => e.type === 'run.needs_human')).toBeTruthy();
    expect(run.queueDueAt).toBeDefined(); // default SLA 24h
    const mail = await waitFor(async () => {
      const m = await ownersMail(runId);
      return m.length === 1 && m;
    }, "the owner's email");
    expect(mail[0]).toMatchObject({ to: 'support-lead@example.com', subject: `[Handrail] Needs a person: owned-model run ${runId}` });
    const calls = openai.requests.length;
    openai.script(chatOk('Refunds within 14 days.'));
    const cli = await runCli(['runs', 'redrive', runId, '--reason', 'model back']);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toContain(`${runId} redriven from needs_human`);
    const done = await waitForRun(rt, runId, ['delivered']);
    expect(openai.requests.length).toBe(calls + 1);
    expect(done.steps.find((s: any) => s.stepId === 'answer')).toMatchObject({ status: 'succeeded', provider: 'openai' });
  });

  it('keeps a run of a workflow with no owner in the queue without telling anyone', { timeout: 60_000 }, async () => {
    receiver.setStatus(503);
    const { runId } = (await api.post('/webhooks/unowned', { subject: 'Hello' })).body;
    const run = await waitForRun(rt, runId, ['delivery_failed']);
    expect(run.queueDueAt).toBeUndefined();
    expect(await ownersMail(runId)).toEqual([]);
    receiver.setStatus(200);
  });

  it('refuses a redrive with a clear error: unknown run 404, bad body 400 naming the field, a reviewer 403, a running run 409', { timeout: 60_000 }, async () => {
    expect((await api.post('/runs/run-nope/redrive', {})).status).toBe(404);
    const bad = await api.post(`/runs/${deliveryRunId}/redrive`, { reason: 42 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('body.reason');
    const asReviewer = client(rt, { as: 'support-agent@example.com' });
    expect((await asReviewer.post(`/runs/${deliveryRunId}/redrive`, {})).status).toBe(403);
    const { runId } = (await api.post('/webhooks/owned-delivery', { subject: 'Still waiting' })).body;
    await pendingApprovalOf(rt, runId);
    const running = await api.post(`/runs/${runId}/redrive`, {});
    expect(running.status).toBe(409);
    expect(running.body.error.message).toMatch(/is awaiting_approval: only a run that is needs_human, delivery_failed, failed can be redriven/);
    const cli = await runCli(['runs', 'redrive']);
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toContain('<runId>');
  });
});
