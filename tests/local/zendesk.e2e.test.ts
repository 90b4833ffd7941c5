/**
 * support-reply on Zendesk, end to end on the local runtime: a stage that declares `zendesk`
 * (stages.yaml, pointed at a local server that speaks Zendesk's API), the agent's API token in the
 * data dir; a Zendesk-signed webhook starts the run, a reviewer approves, and the reply lands on
 * the ticket once, through node-zendesk, with every call on the run and step records. Forged and
 * unsigned calls are refused; a reply whose answer was lost is not posted again; a Zendesk that
 * stays down sends the run to the human queue, and a redrive posts it once.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime.js';
import { zendeskSecretName } from '../../functions/triggers/webhook-secrets.js';
import { ZENDESK_HEADERS, zendeskSignedHeaders } from '../../functions/triggers/zendesk-signature.js';
import { webhookSecretIn } from '../../local/signing-secret-file.js';
import { handrailCli } from '../support/cli.js';
import { client, decideAs, pendingApprovalOf, startTestRuntime, waitForRun } from '../support/local-runtime.js';
import { startZendeskServer, type ZendeskServer } from '../support/zendesk-server.js';

let rt: LocalRuntime;
let zendesk: ZendeskServer;
let dataDir: string;
let zendeskSecret: string;
const stagesFileBefore = process.env.HANDRAIL_STAGES_FILE;

beforeAll(async () => {
  zendesk = await startZendeskServer();
  const dir = mkdtempSync(join(tmpdir(), 'handrail-zendesk-stage-'));
  const stagesFile = join(dir, 'stages.yaml');
  writeFileSync(stagesFile, `local:\n  zendesk:\n    url: ${zendesk.url}\n    email: ${zendesk.email}\n`);
  process.env.HANDRAIL_STAGES_FILE = stagesFile;
  dataDir = mkdtempSync(join(tmpdir(), 'handrail-test-'));
  writeFileSync(join(dataDir, 'zendesk-api-token'), zendesk.apiToken);
  rt = await startTestRuntime({ dataDir });
  zendeskSecret = webhookSecretIn(dataDir, zendeskSecretName('support-reply'));
}, 120_000);

afterAll(async () => {
  await rt?.stop();
  await zendesk?.close();
  process.env.HANDRAIL_STAGES_FILE = stagesFileBefore;
});

/** What a Zendesk trigger posts: the body the README's webhook template makes, plus fields the workflow drops. */
const zendeskBody = (ticketId: number) =>
  JSON.stringify({
    ticketId: String(ticketId),
    subject: 'Export my data',
    body: 'Hello, can I export my data to a spreadsheet?',
    customerEmail: 'pat@example.com',
    priority: 'normal',
    status: 'new',
    requester: { name: 'Pat', email: 'pat@example.com' },
  });

const postFromZendesk = (body: string, headers: Record<string, string>) =>
  fetch(`${rt.url}/webhooks/support-reply`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

async function startAndApprove(ticketId: number): Promise<string> {
  const body = zendeskBody(ticketId);
  const res = await postFromZendesk(body, zendeskSignedHeaders(zendeskSecret, body));
  expect(res.status).toBe(202);
  const { runId } = (await res.json()) as { runId: string };
  const approval = await pendingApprovalOf(rt, runId);
  const decided = await decideAs(rt, approval, approval.reviewers[0], { action: 'edit', text: `Hi Pat, yes: Settings → Export gives you a CSV. (ticket ${ticketId})`, reasonCode: 'tone' });
  expect(decided.status).toBe(200);
  return runId;
}

const putsFor = (ticketId: number) => zendesk.updates().filter((r) => r.path === `/api/v2/tickets/${ticketId}.json`);

describe('support-reply on Zendesk', () => {
  it('refuses unsigned, forged and replayed Zendesk calls with 401, naming what is wrong', async () => {
    const body = zendeskBody(1);
    const unsigned = await postFromZendesk(body, { [ZENDESK_HEADERS.timestamp]: new Date().toISOString() });
    expect(unsigned.status).toBe(401);
    expect(((await unsigned.json()) as any).error.message).toMatch(/must be signed by Zendesk/);
    const forged = await postFromZendesk(body, zendeskSignedHeaders('not-the-secret', body));
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as any).error.message).toMatch(/does not match this workflow's Zendesk signing secret/);
    const tampered = await postFromZendesk(body.replace('"1"', '"2"'), zendeskSignedHeaders(zendeskSecret, body));
    expect(tampered.status).toBe(401);
    const stale = await postFromZendesk(body, zendeskSignedHeaders(zendeskSecret, body, new Date(Date.now() - 10 * 60_000)));
    expect(stale.status).toBe(401);
    expect(((await stale.json()) as any).error.message).toMatch(/more than five minutes/);
    expect(zendesk.requests).toEqual([]);
  });

  it('prints the Zendesk signing secret the runtime made (npx handrail webhooks secret <workflow> --zendesk)', { timeout: 120_000 }, async () => {
    const printed = await handrailCli(rt, ['webhooks', 'secret', 'support-reply', '--zendesk'], { as: 'admin@example.com', env: { HANDRAIL_DATA_DIR: dataDir } });
    expect(printed).toMatchObject({ code: 0, stdout: `${zendeskSecret}\n` });
    const none = await handrailCli(rt, ['webhooks', 'secret', 'nope', '--zendesk'], { as: 'admin@example.com', env: { HANDRAIL_DATA_DIR: dataDir } });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no Zendesk signing secret for nope/);
  });

  it('starts from a Zendesk-signed webhook, and posts the approved reply to the ticket once: status, tags, every call recorded', { timeout: 60_000 }, async () => {
    zendesk.addTicket(4711);
    const runId = await startAndApprove(4711);
    const run = await waitForRun(rt, runId, ['delivered']);
    // Exactly one update, as Zendesk's API takes it
    expect(putsFor(4711)).toHaveLength(1);
    expect(putsFor(4711)[0]!.body.ticket).toEqual({
      comment: { body: 'Hi Pat, yes: Settings → Export gives you a CSV. (ticket 4711)', public: true },
      status: 'pending',
      additional_tags: ['handrail-reply'],
      metadata: { handrail_run: runId, handrail_step: 'send_reply' },
    });
    const ticket = zendesk.ticket(4711)!;
    expect(ticket).toMatchObject({ status: 'pending', tags: ['handrail-reply'] });
    expect(ticket.comments).toHaveLength(1);
    // The run: delivered to the ticket, with the audit and comment ids and the call
    expect(run.input).toEqual({ ticketId: '4711', subject: 'Export my data', body: 'Hello, can I export my data to a spreadsheet?', customerEmail: 'pat@example.com', priority: 'normal' });
    expect(run.delivery).toMatchObject({
      status: 'delivered',
      url: `${zendesk.url}/agent/tickets/4711`,
      zendesk: { ticketId: 4711, comment: 'public', auditId: ticket.audits[0]!.id, commentId: ticket.comments[0]!.id, calls: [{ attempt: 1, method: 'PUT', path: '/api/v2/tickets/4711.json', status: 200 }] },
    });
    const step = run.steps.find((s: any) => s.stepId === 'send_reply');
    expect(step).toMatchObject({ kind: 'deliver', status: 'succeeded', input: { to: 'zendesk', ticketId: 4711, comment: 'public', status: 'pending', tags: ['handrail-reply'] }, attempts: [{ method: 'PUT', status: 200 }] });
    expect(JSON.stringify(run)).not.toContain(zendesk.apiToken);
  });

  it('does not post again when Zendesk applied the update but its answer was lost: it finds the reply on the ticket', { timeout: 60_000 }, async () => {
    zendesk.addTicket(4712);
    // Nothing calls Zendesk before the approval: the next call is the update, applied then answered 502
    zendesk.fail({ status: 502, applied: true });
    const runId = await startAndApprove(4712);
    const run = await waitForRun(rt, runId, ['delivered']);
    expect(putsFor(4712)).toHaveLength(1);
    expect(zendesk.ticket(4712)!.comments).toHaveLength(1);
    expect(run.delivery.zendesk.calls.map((c: any) => [c.method, c.status])).toEqual([['PUT', 502], ['GET', 200]]);
    expect(run.steps.find((s: any) => s.stepId === 'send_reply').output).toMatchObject({ alreadyPosted: true });
  });

  it('sends the run to the human queue when Zendesk stays down, and a redrive posts the reply once', { timeout: 90_000 }, async () => {
    zendesk.addTicket(4713);
    zendesk.fail(...Array.from({ length: 4 }, () => ({ status: 503 })));
    const runId = await startAndApprove(4713);
    const failed = await waitForRun(rt, runId, ['delivery_failed']);
    expect(failed).toMatchObject({ status: 'delivery_failed', error: { error: 'DeliveryFailed' }, humanQueue: 'open', delivery: { status: 'failed' } });
    expect(failed.delivery.zendesk.calls).toHaveLength(4);
    expect(zendesk.ticket(4713)!.comments).toHaveLength(0);
    const redriven = await client(rt).post(`/runs/${runId}/redrive`, { reason: 'Zendesk is back' });
    expect(redriven.status).toBe(200);
    const run = await waitForRun(rt, runId, ['delivered']);
    expect(zendesk.ticket(4713)!.comments).toHaveLength(1);
    // The retried step looked at the ticket before posting: the calls of both invocations are kept
    expect(run.delivery.zendesk.calls.slice(4).map((c: any) => [c.method, c.status])).toEqual([['GET', 200], ['PUT', 200]]);
  });
});
