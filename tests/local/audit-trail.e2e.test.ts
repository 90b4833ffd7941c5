/**
 * The tamper-evident audit trail on the local runtime: a run's events and others are chained and,
 * on the schedule, signed by a checkpoint; `npx handrail audit verify` (GET /audit/verify) holds
 * until someone edits, deletes or slips in an event directly in DynamoDB, or forges a checkpoint,
 * and then says which stream, which event and what happened. Auditors may verify; reviewers may not.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { CHECKPOINT_SETTLE_MS, CHECKPOINT_STREAM } from '../../functions/audit/checkpoints.js';
import { auditTrail, eventHash, eventKey, recordAudit, type AuditEvent } from '../../functions/records/audit.js';
import { documentClient } from '../../functions/shared/aws-clients.js';
import { ENV } from '../../functions/shared/env-names.js';
import { handrailCli } from '../support/cli.js';
import { client, decideAs, runRecordReaching, runtimeForSuite } from '../support/local-runtime.js';

const runtime = runtimeForSuite();
/** The checkpoint schedule, late enough that it signs everything recorded so far (it signs as of CHECKPOINT_SETTLE_MS before its time). */
const checkpointNow = () => runtime().runSchedules(new Date(Date.now() + CHECKPOINT_SETTLE_MS + 1000));
const table = () => process.env[ENV.auditTable]!;
const verify = async (query = '') => (await client(runtime(), { as: 'auditor@example.com' }).get(`/audit/verify${query}`)).body;
const eventOf = async (subject: string, seq: number) => (await documentClient().send(new GetCommand({ TableName: table(), Key: { subject, at: eventKey(seq) } }))).Item as AuditEvent;

async function stream(subject: string, events: number): Promise<void> {
  for (let i = 0; i < events; i++) await recordAudit({ subject, type: 'user.disabled', actor: 'admin@example.com', details: { userId: `u${i}@example.com`, reason: 'left' } });
}

describe('the audit trail', () => {
  it('holds for a run end to end, with its events chained and signed by a checkpoint', async () => {
    const rt = runtime();
    const started = await client(rt).post('/webhooks/support-reply', { ticketId: 'T-audit', subject: 'Refund', body: 'How do I get a refund?' });
    const waiting = await runRecordReaching(started.body.runId, ['awaiting_approval']);
    const approval = (await client(rt).get(`/approvals/${waiting.approvalIds!.at(-1)}`)).body;
    expect((await decideAs(rt, approval, 'support-agent@example.com', { action: 'approve' })).status).toBe(200);
    await runRecordReaching(started.body.runId, ['delivered']);
    const trail = await auditTrail(started.body.runId);
    expect(trail.map((e) => e.type)).toContain('approval.decided');
    expect(trail.map((e) => e.seq)).toEqual(trail.map((_, i) => i + 1));

    expect(await verify()).toMatchObject({ ok: true, findings: [], checkpoints: 0 });
    await checkpointNow();
    const signed = await verify();
    expect(signed).toMatchObject({ ok: true, unsigned: 0 });
    expect(signed.checkpoints).toBe(1);
    const cli = await handrailCli(rt, ['audit', 'verify'], { as: 'auditor@example.com' });
    expect(cli).toMatchObject({ code: 0 });
    expect(cli.stdout).toContain('✓ the audit trail holds');
    // A second checkpoint signs only what grew since the first.
    await stream('users-a', 1);
    await checkpointNow();
    const [, second] = await auditTrail(CHECKPOINT_STREAM);
    expect(Object.keys((second!.details as { heads: object }).heads)).toEqual(['users-a']);
  });

  it('finds an event edited in DynamoDB, naming the stream and the event', async () => {
    await stream('edited', 3);
    await documentClient().send(new UpdateCommand({ TableName: table(), Key: { subject: 'edited', at: eventKey(2) }, UpdateExpression: 'SET details.reason = :r', ExpressionAttributeValues: { ':r': 'never happened' } }));
    const report = await verify();
    expect(report.ok).toBe(false);
    expect(report.findings).toEqual([expect.objectContaining({ kind: 'edited', subject: 'edited', seq: 2, message: 'edited #2: its content no longer matches its hash: it was changed after it was recorded' })]);
    const cli = await handrailCli(runtime(), ['audit', 'verify'], { as: 'admin@example.com' });
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain('✗ edited: edited #2: its content no longer matches its hash');
    expect(cli.stderr).toContain('the audit trail was tampered with');
    await documentClient().send(new DeleteCommand({ TableName: table(), Key: { subject: 'edited', at: eventKey(2) } }));
  });

  it('finds an event deleted in DynamoDB, and one deleted from the end that a checkpoint had signed', async () => {
    await stream('deleted', 4);
    await checkpointNow();
    await documentClient().send(new DeleteCommand({ TableName: table(), Key: { subject: 'deleted', at: eventKey(2) } }));
    await documentClient().send(new DeleteCommand({ TableName: table(), Key: { subject: 'deleted', at: eventKey(4) } }));
    const findings = (await verify()).findings.filter((f: { subject: string }) => f.subject === 'deleted');
    expect(findings.map((f: { kind: string; seq: number }) => [f.kind, f.seq])).toEqual([['deleted', 2], ['deleted', 4]]);
    expect(findings[0].message).toBe('deleted #2: missing: event is gone (#3 follows #1)');
    expect(findings[1].message).toMatch(/^deleted #4: checkpoint #\d+ \(as of .+\) signed it; it is gone$/);
  });

  it('finds an event slipped in before a checkpoint, even with a correct hash, and a stream rewritten consistently', async () => {
    await stream('inserted', 2);
    await stream('rewritten', 2);
    await checkpointNow();
    // A forger who knows the hashing appends a well-chained event, dated before the checkpoint.
    const head = await eventOf('inserted', 2);
    const forged = { subject: 'inserted', seq: 3, time: head.time, type: 'user.enabled' as const, actor: 'admin@example.com', prev: head.hash };
    await documentClient().send(new PutCommand({ TableName: table(), Item: { ...forged, at: eventKey(3), hash: eventHash(forged) } }));
    // …and rewrites a whole stream, hashes and links recomputed: only the checkpoint's signature catches it.
    const first = await eventOf('rewritten', 1);
    const e1 = { ...first, details: { userId: 'someone-else@example.com', reason: 'left' } };
    const h1 = eventHash(e1);
    const second = await eventOf('rewritten', 2);
    const e2 = { ...second, prev: h1 };
    await documentClient().send(new PutCommand({ TableName: table(), Item: { ...e1, hash: h1 } }));
    await documentClient().send(new PutCommand({ TableName: table(), Item: { ...e2, hash: eventHash(e2) } }));
    const findings = (await verify()).findings;
    expect(findings).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: 'inserted', subject: 'inserted', seq: 3 }),
      expect.objectContaining({ kind: 'edited', subject: 'rewritten', seq: 2, message: expect.stringContaining('is not the event checkpoint') }),
    ]));
    expect(findings.find((f: { subject: string }) => f.subject === 'inserted').message).toMatch(/before checkpoint #\d+ \(as of .+\), which saw the stream end at #2/);
  });

  it('does not sign what was recorded within the settle time, nor call it inserted later', async () => {
    await stream('fresh', 1);
    await runtime().runSchedules(); // now: "fresh" was recorded less than the settle time ago
    const [, ...rest] = await auditTrail(CHECKPOINT_STREAM);
    const last = rest.at(-1)!;
    expect(Object.keys((last.details as { heads: object }).heads)).not.toContain('fresh');
    const report = await verify();
    expect(report.findings.filter((f: { subject: string }) => f.subject === 'fresh')).toEqual([]);
    expect(report.unsigned).toBeGreaterThanOrEqual(1);
  });

  it('finds a forged checkpoint, limits the report to a window, and lets only admins and auditors verify', async () => {
    await recordAudit({ subject: CHECKPOINT_STREAM, type: 'audit.checkpoint', actor: 'forger', details: { asOf: new Date().toISOString(), heads: {}, signature: 'ab'.repeat(32) } });
    expect((await verify()).findings).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'checkpoint_forged', subject: CHECKPOINT_STREAM })]));
    expect(await verify('?from=2099-01-01T00:00:00Z')).toMatchObject({ ok: true, findings: [] });
    const bad = await client(runtime()).get('/audit/verify?from=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('from: an ISO 8601 time');
    expect((await client(runtime(), { as: 'support-agent@example.com' }).get('/audit/verify')).status).toBe(403);
  });
});
