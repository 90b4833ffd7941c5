/**
 * Retention and erasure on the local runtime: a run's records carry the TTL their workflow's
 * retention gives them; `npx handrail erase --subject <email>` (POST /erasures) removes a person's
 * address from every run, step record, approval, stored citation and audit event, nowhere left in
 * any table, without touching anyone else's data; the erasure is audited, `audit verify` still
 * holds (also over a signed checkpoint), an edit after it is still found, and erasing again is safe.
 */
import { GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { CHECKPOINT_SETTLE_MS } from '../../functions/audit/checkpoints.js';
import { ERASURE_STREAM } from '../../functions/audit/erasures.js';
import { auditTrail, eventKey, type AuditEvent } from '../../functions/records/audit.js';
import { getRunWithSteps } from '../../functions/records/runs.js';
import { documentClient } from '../../functions/shared/aws-clients.js';
import { ENV } from '../../functions/shared/env-names.js';
import { TTL_ATTRIBUTE } from '../../functions/shared/ttl.js';
import { DEFAULT_RETENTION } from '../../state-machines/retention.js';
import { handrailCli } from '../support/cli.js';
import { client, decideAs, runRecordReaching, runtimeForSuite } from '../support/local-runtime.js';

const runtime = runtimeForSuite();
const SUBJECT = 'jane.doe@customer.example';
const OTHER = 'sam.roe@customer.example';
const ADMIN = 'admin@example.com';
const DAY = 86_400;

/** Every item of every table of the stage, as DynamoDB holds it. */
async function everyItem(): Promise<{ table: string; item: Record<string, unknown> }[]> {
  const tables = Object.values(ENV).filter((name) => name.endsWith('_TABLE')).map((name) => process.env[name]).filter((t): t is string => !!t);
  const all: { table: string; item: Record<string, unknown> }[] = [];
  for (const table of new Set(tables)) {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await documentClient().send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
      all.push(...(page.Items ?? []).map((item) => ({ table, item })));
      start = page.LastEvaluatedKey;
    } while (start);
  }
  return all;
}

async function decidedRun(email: string, ticketId: string, reason: string) {
  const rt = runtime();
  const started = await client(rt).post('/webhooks/support-reply', { ticketId, subject: `Refund for ${email}`, body: `Please write to ${email.toUpperCase()} about my refund.`, customerEmail: email });
  expect(started.status).toBe(202);
  const waiting = await runRecordReaching(started.body.runId, ['awaiting_approval']);
  const approval = (await client(rt).get(`/approvals/${waiting.approvalIds!.at(-1)}`)).body;
  expect((await decideAs(rt, approval, 'support-agent@example.com', { action: 'approve', reason })).status).toBe(200);
  await runRecordReaching(started.body.runId, ['delivered']);
  return { runId: started.body.runId as string, approvalId: approval.approvalId as string };
}

const verify = async () => (await client(runtime(), { as: 'auditor@example.com' }).get('/audit/verify')).body;

describe('retention and erasure', () => {
  let erased: { runId: string; approvalId: string };
  let kept: { runId: string; approvalId: string };

  it("sets each record's TTL from its workflow's retention", async () => {
    erased = await decidedRun(SUBJECT, 'T-erase', `checked the account of ${SUBJECT} first`);
    kept = await decidedRun(OTHER, 'T-keep', 'fine');
    const { run, steps } = (await getRunWithSteps(erased.runId))!;
    expect(run.retention).toEqual(DEFAULT_RETENTION);
    expect(run.expiresAt).toBe(Math.floor(Date.parse(run.createdAt) / 1000) + DEFAULT_RETENTION.runs * DAY);
    expect(steps.length).toBeGreaterThan(0);
    for (const step of steps) expect(step.expiresAt, step.stepId).toBe(Math.floor(Date.parse(step.finishedAt) / 1000) + DEFAULT_RETENTION.steps * DAY);
    const approval = (await documentClient().send(new GetCommand({ TableName: process.env[ENV.approvalsTable], Key: { approvalId: erased.approvalId } }))).Item!;
    expect(approval[TTL_ATTRIBUTE]).toBe(Math.floor(Date.parse(approval.requestedAt) / 1000) + DEFAULT_RETENTION.approvals * DAY);
  });

  it('erases the subject everywhere, keeps everyone else, and the chain still verifies', async () => {
    const rt = runtime();
    const mentions = (items: { item: Record<string, unknown> }[], email: string) => items.filter(({ item }) => JSON.stringify(item).toLowerCase().includes(email));
    const before = await everyItem();
    expect(mentions(before, SUBJECT).length).toBeGreaterThan(3);
    // A checkpoint has signed the streams before the erasure: the events it signed stay what it signed.
    await rt.runSchedules(new Date(Date.now() + CHECKPOINT_SETTLE_MS + 1000));

    const cli = await handrailCli(rt, ['erase', '--subject', SUBJECT.toUpperCase(), '--reason', `GDPR request from ${SUBJECT}`], { as: ADMIN });
    expect(cli).toMatchObject({ code: 0, stderr: '' });
    expect(cli.stdout).toMatch(/^✓ JANE\.DOE@CUSTOMER\.EXAMPLE erased \(era-[0-9a-f]+\): 1 run\(s\), \d+ step record\(s\), 1 approval\(s\), \d+ knowledge citation\(s\), \d+ audit event\(s\) redacted\n$/);

    const after = await everyItem();
    expect(mentions(after, SUBJECT)).toEqual([]);
    // Nothing else lost: the other customer's records are as they were, item for item (but for the
    // decision reconciler's own mark, which it clears on its schedule).
    const settled = (items: { item: Record<string, unknown> }[]) => mentions(items, OTHER).map(({ item: { resumeState: _s, resumeRequestedAt: _r, ...rest } }) => rest);
    expect(settled(after)).toEqual(settled(before));
    // The erasure event and the checkpoint are the only new records; the throttle's per-window
    // request counters come and go with the clock, so they are left out of the count.
    const records = (items: { table: string }[]) => items.filter(({ table }) => table !== process.env[ENV.throttleTable]).length;
    expect(records(after)).toBe(records(before) + 1 + 1);
    const { run } = (await getRunWithSteps(erased.runId))!;
    expect(run.input).toMatchObject({ ticketId: 'T-erase', customerEmail: '[erased]', subject: 'Refund for [erased]', body: 'Please write to [erased] about my refund.' });
    const decided = (await auditTrail(erased.runId)).find((e) => e.type === 'approval.decided')!;
    expect(decided.details).toMatchObject({ reason: 'checked the account of [erased] first' });

    const [erasure] = await auditTrail(ERASURE_STREAM);
    expect(erasure).toMatchObject({ type: 'subject.erased', actor: ADMIN, details: { reason: 'GDPR request from [erased]', counts: { runs: 1, approvals: 1 } } });
    expect(JSON.stringify(erasure).toLowerCase()).not.toContain(SUBJECT);

    const report = await verify();
    expect(report).toMatchObject({ ok: true, findings: [] });
    expect(report.redacted).toBeGreaterThan(0);
    const verified = await handrailCli(rt, ['audit', 'verify'], { as: 'auditor@example.com' });
    expect(verified).toMatchObject({ code: 0 });
    expect(verified.stdout).toContain('redacted by an erasure');
  });

  it('erases again safely: nothing more found, the look recorded, the chain still whole', async () => {
    const again = await client(runtime()).post('/erasures', { subject: SUBJECT });
    expect(again.status).toBe(200);
    expect(again.body.counts).toEqual({ runs: 0, steps: 0, approvals: 0, citations: 0, auditEvents: 0 });
    expect((await auditTrail(ERASURE_STREAM)).length).toBe(2);
    expect(await verify()).toMatchObject({ ok: true, findings: [] });
  });

  it('still finds an edit of an erased event, made after the erasure', async () => {
    const table = process.env[ENV.auditTable]!;
    const decided = (await auditTrail(erased.runId)).find((e) => e.type === 'approval.decided')!;
    const tampered: AuditEvent = { ...decided, details: { ...decided.details, reason: 'checked nothing' } };
    await documentClient().send(new PutCommand({ TableName: table, Item: tampered }));
    const report = await verify();
    expect(report.ok).toBe(false);
    expect(report.findings).toEqual([expect.objectContaining({ kind: 'edited', subject: erased.runId, seq: decided.seq })]);
    await documentClient().send(new PutCommand({ TableName: table, Item: decided }));
    expect(await verify()).toMatchObject({ ok: true });
    // An erasure's own record cannot be forged without the signing secret either.
    const [first] = await auditTrail(ERASURE_STREAM);
    await documentClient().send(new PutCommand({ TableName: table, Item: { ...first!, details: { ...first!.details, signature: '0'.repeat(64) } } }));
    const forged = (await verify()).findings.map((f: { kind: string; subject: string }) => [f.kind, f.subject]);
    expect(forged).toContainEqual(['erasure_forged', ERASURE_STREAM]);
    await documentClient().send(new PutCommand({ TableName: table, Item: first }));
    expect((await documentClient().send(new GetCommand({ TableName: table, Key: { subject: ERASURE_STREAM, at: eventKey(1) } }))).Item).toEqual(first);
  });

  it('refuses bad input in one line, and anyone but an admin', async () => {
    const rt = runtime();
    const bad = await client(rt).post('/erasures', { subject: 'jane' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ field: 'body.subject' });
    expect(bad.body.error.message).toContain('subject: an email address');
    expect((await client(rt).post('/erasures', { subject: SUBJECT, extra: 1 })).status).toBe(400);
    const missing = await handrailCli(rt, ['erase'], { as: ADMIN });
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toEqual(['handrail: missing --subject <email> (whose data to erase); see `handrail --help`']);
    const auditor = await handrailCli(rt, ['erase', '--subject', OTHER], { as: 'auditor@example.com' });
    expect(auditor.code).toBe(1);
    expect(auditor.stderr.trim().split('\n')).toHaveLength(1);
    expect(JSON.stringify(await everyItem())).toContain(OTHER);
  });
});
