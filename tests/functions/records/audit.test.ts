/**
 * The audit table is append-only: every write to it, from every writer (audit events, Slack
 * nonces), is a PutItem that only creates; an event never carries the table's TTL attribute. Each
 * subject's events are numbered and chained: a writer that lost the race for a place reads the
 * stream's head and appends after it, so no two events share a place and the chain never forks.
 */
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { claimSlackNonce } from '../../../functions/notifications/slack-signature.js';
import { auditTrail, CREATE_ONLY, eventHash, eventKey, GENESIS, recordAudit, type AuditEvent } from '../../../functions/records/audit.js';
import { documentClient } from '../../../functions/shared/aws-clients.js';
import { ENV } from '../../../functions/shared/env-names.js';
import { TTL_ATTRIBUTE } from '../../../functions/shared/ttl.js';
import { startEmulatorEnv, stringKeys, type EmulatorEnv } from '../../support/emulator-env.js';

const TABLE = 'test-audit';
let env: EmulatorEnv;

beforeAll(async () => {
  env = await startEmulatorEnv({ name: 'audit', env: { [ENV.auditTable]: TABLE }, tables: [{ TableName: TABLE, ...stringKeys('subject', 'at') }] });
});
afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  await env?.stop();
});

const conditionFailure = () => Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });

describe('audit events', () => {
  it('appends each event with a create-only PutItem; two events on one subject are both kept', async () => {
    // Prepare
    const send = vi.spyOn(documentClient(), 'send');
    // Act
    await recordAudit({ subject: 'run-a', runId: 'run-a', type: 'run.finished', actor: 'handrail' });
    await recordAudit({ subject: 'run-a', runId: 'run-a', type: 'delivery.succeeded', actor: 'handrail', details: { url: 'https://example.com' } });
    // Assess
    const writes = send.mock.calls.map(([command]) => command).filter((c) => !(c instanceof GetCommand));
    expect(writes.every((c) => c instanceof PutCommand && c.input.ConditionExpression === CREATE_ONLY)).toBe(true);
    expect(CREATE_ONLY).toBe('attribute_not_exists(subject)');
    expect((await auditTrail('run-a')).map((e) => e.type).sort()).toEqual(['delivery.succeeded', 'run.finished']);
  });

  it('numbers and chains the events of a stream: each carries its hash and the one before', async () => {
    const trail = await auditTrail('run-a');
    expect(trail.map((e) => [e.seq, e.at])).toEqual([[1, eventKey(1)], [2, eventKey(2)]]);
    expect(trail[0]!.prev).toBe(GENESIS);
    expect(trail[1]!.prev).toBe(trail[0]!.hash);
    for (const e of trail) expect(e.hash).toBe(eventHash(e));
    expect(Date.parse(trail[1]!.time)).toBeGreaterThan(0);
  });

  it('appends after an event another writer added (its own guess of the head was stale), reading the head once', async () => {
    await recordAudit({ subject: 'run-b', type: 'run.finished', actor: 'handrail' });
    // Another process appends #2 to the stream.
    const [first] = await auditTrail('run-b');
    const other = { subject: 'run-b', seq: 2, time: new Date().toISOString(), type: 'delivery.succeeded' as const, actor: 'elsewhere', prev: first!.hash };
    await documentClient().send(new PutCommand({ TableName: TABLE, Item: { ...other, at: eventKey(2), hash: eventHash(other) } }));
    const send = vi.spyOn(documentClient(), 'send');
    await recordAudit({ subject: 'run-b', type: 'run.restarted', actor: 'handrail' });
    expect(send.mock.calls.map(([c]) => c.constructor.name)).toEqual(['PutCommand', 'QueryCommand', 'PutCommand']);
    const trail = await auditTrail('run-b');
    expect(trail.map((e) => [e.seq, e.actor])).toEqual([[1, 'handrail'], [2, 'elsewhere'], [3, 'handrail']]);
    expect(trail[2]!.prev).toBe(trail[1]!.hash);
  });

  it('keeps one unbroken chain when many appends to one stream race', async () => {
    await Promise.all(Array.from({ length: 25 }, (_, i) => recordAudit({ subject: 'run-race', type: 'approval.decision_refused', actor: `reviewer-${i}` })));
    const trail = await auditTrail('run-race');
    expect(trail.map((e) => e.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    trail.forEach((e, i) => expect(e.prev).toBe(i === 0 ? GENESIS : trail[i - 1]!.hash));
    expect(new Set(trail.map((e) => e.actor)).size).toBe(25);
  });

  it('gives up after many lost races rather than looping', async () => {
    vi.spyOn(documentClient(), 'send').mockImplementation(async (command: unknown) => {
      if (command instanceof QueryCommand) return { Items: [] };
      throw conditionFailure();
    });
    await expect(recordAudit({ subject: 'run-c', type: 'run.finished', actor: 'handrail' })).rejects.toThrow(/conditional request failed/);
  });

  it('writes the named fields only, so an event can never carry the TTL attribute', async () => {
    const event = { subject: 'run-d', type: 'run.finished', actor: 'handrail', [TTL_ATTRIBUTE]: 1, surprise: true } as unknown as Parameters<typeof recordAudit>[0];
    await recordAudit(event);
    const [stored] = (await auditTrail('run-d')) as unknown as Record<string, unknown>[];
    expect(Object.keys(stored!).sort()).toEqual(['actor', 'at', 'hash', 'prev', 'seq', 'subject', 'time', 'type']);
  });
});

describe('Slack nonces in the audit table', () => {
  it('claims a nonce once, with a create-only PutItem and the TTL attribute DynamoDB expires it by', async () => {
    const send = vi.spyOn(documentClient(), 'send');
    expect(await claimSlackNonce('abc123', 1_700_000_600)).toBe(true);
    expect(await claimSlackNonce('abc123', 1_700_000_600)).toBe(false);
    const puts = send.mock.calls.map(([c]) => c).filter((c) => c instanceof PutCommand);
    expect(puts.every((c) => c.input.TableName === TABLE && c.input.ConditionExpression === CREATE_ONLY)).toBe(true);
    const { Item } = await documentClient().send(new GetCommand({ TableName: TABLE, Key: { subject: 'slack-nonce#abc123', at: 'nonce' } }));
    expect(Item?.[TTL_ATTRIBUTE]).toBe(1_700_000_600);
  });
});
