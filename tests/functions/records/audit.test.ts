/**
 * The audit table is append-only: every write to it, from every writer (audit events, Slack
 * nonces), is a PutItem that only creates; an event never carries the table's TTL attribute.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { claimSlackNonce } from '../../../functions/notifications/slack-signature.js';
import { auditTrail, CREATE_ONLY, recordAudit, type AuditEvent } from '../../../functions/records/audit.js';
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

  it('draws a new sort key when one was taken, instead of overwriting or failing', async () => {
    const send = vi.spyOn(documentClient(), 'send').mockRejectedValueOnce(conditionFailure());
    await recordAudit({ subject: 'run-b', type: 'run.finished', actor: 'handrail' });
    expect(send).toHaveBeenCalledTimes(2);
    expect(await auditTrail('run-b')).toHaveLength(1);
  });

  it('gives up after a few taken keys rather than looping', async () => {
    vi.spyOn(documentClient(), 'send').mockRejectedValue(conditionFailure());
    await expect(recordAudit({ subject: 'run-c', type: 'run.finished', actor: 'handrail' })).rejects.toThrow(/conditional request failed/);
  });

  it('writes the named fields only, so an event can never carry the TTL attribute', async () => {
    const event = { subject: 'run-d', type: 'run.finished', actor: 'handrail', [TTL_ATTRIBUTE]: 1, surprise: true } as unknown as Omit<AuditEvent, 'at'>;
    await recordAudit(event);
    const [stored] = (await auditTrail('run-d')) as unknown as Record<string, unknown>[];
    expect(Object.keys(stored!).sort()).toEqual(['actor', 'at', 'subject', 'type']);
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
