/**
 * Account standings against dynalite: concurrent callers' standings share BatchGetItem requests
 * (one per round trip, whoever asks), each answer is the caller's own (active, disabled, a revoked
 * personal token), and a user disabled while a read is in flight is refused by the next ask.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { revokePersonalToken } from '../../../functions/records/api-keys.js';
import { accountStanding, disableUser } from '../../../functions/records/disabled-users.js';
import { documentClient } from '../../../functions/shared/aws-clients.js';
import { ENV } from '../../../functions/shared/env-names.js';
import { startEmulatorEnv, type EmulatorEnv } from '../../support/emulator-env.js';

let env: EmulatorEnv;

beforeAll(async () => {
  env = await startEmulatorEnv({ name: 'standing', env: { [ENV.apiKeysTable]: 'test-api-keys' }, tables: [{ TableName: 'test-api-keys', AttributeDefinitions: [{ AttributeName: 'keyId', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'keyId', KeyType: 'HASH' }] }] });
  await disableUser('gone@example.com', 'admin@example.com', 'left the company');
  await revokePersonalToken('tok-revoked', 'kept@example.com', 'kept@example.com');
});
afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  await env?.stop();
});

describe('account standings', () => {
  it("reads concurrent callers' standings in shared requests, each caller getting their own answer", async () => {
    const send = vi.spyOn(documentClient(), 'send');
    const asks: [string, string | undefined][] = [
      ...Array.from({ length: 20 }, (_, i): [string, string | undefined] => [`user${i}@example.com`, i % 2 ? `tok-${i}` : undefined]),
      ['gone@example.com', undefined],
      ['GONE@example.com', 'tok-1'],
      ['kept@example.com', 'tok-revoked'],
      ['kept@example.com', undefined],
    ];
    const standings = await Promise.all(asks.map(([user, token]) => accountStanding(user, token)));
    expect(standings.slice(0, 20)).toEqual(Array(20).fill('active'));
    expect(standings.slice(20)).toEqual(['disabled', 'disabled', 'token_revoked', 'active']);
    // The first ask goes at once; everyone who asked meanwhile goes in the next request.
    expect(send.mock.calls.map(([c]) => c.constructor.name)).toEqual(['BatchGetCommand', 'BatchGetCommand']);
  });

  it('refuses a user disabled while a read was in flight, from the next ask on', async () => {
    const first = accountStanding('late@example.com');
    await disableUser('late@example.com', 'admin@example.com', 'compromised');
    const next = accountStanding('late@example.com');
    // The read in flight may have reached the table before or after the update; the next one is after it.
    expect(['active', 'disabled']).toContain(await first);
    expect(await next).toBe('disabled');
  });

  it('asks more than 100 keys in requests of 100 at most', async () => {
    const send = vi.spyOn(documentClient(), 'send');
    await accountStanding('warm@example.com');
    send.mockClear();
    const many = await Promise.all(Array.from({ length: 150 }, (_, i) => accountStanding(`many${i}@example.com`, `t${i}`)).concat([accountStanding('gone@example.com')]));
    expect(many.at(-1)).toBe('disabled');
    const sizes = send.mock.calls.map(([c]) => ((c.input as { RequestItems: Record<string, { Keys: unknown[] }> }).RequestItems['test-api-keys']!.Keys.length));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(100);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(301);
  });
});
