/**
 * Disabled users, kept in the API keys table (the stage's credentials and their revocations) under
 * `user#<email>`: every sign-in (ID token, personal token, review or inbox link) of a disabled user
 * is refused from the next request on, though their tokens have not expired. Disabling and enabling
 * are conditional updates, so each happens once and the item keeps who did it last and why.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/aws-clients.js';
import { ENV } from '../shared/env-names.js';
import { requireEnv } from '../shared/env.js';
import { revokedTokenKey } from './api-keys.js';
import { coalesced } from './coalesced.js';
import { getConsistent, scanAll, updateIf } from './dynamo-helpers.js';

export interface DisabledUser {
  readonly userId: string;
  readonly disabledAt: string;
  readonly disabledBy: string;
  readonly reason: string;
}

const table = () => requireEnv(ENV.apiKeysTable);
const PREFIX = 'user#';
const keyOf = (userId: string) => ({ keyId: `${PREFIX}${userId.toLowerCase()}` });

/** Disables a user; false if they already were. */
export function disableUser(userId: string, by: string, reason: string, at = new Date().toISOString()): Promise<boolean> {
  return updateIf({
    TableName: table(),
    Key: keyOf(userId),
    UpdateExpression: 'SET disabled = :t, userId = :u, disabledAt = :at, disabledBy = :by, reason = :why',
    ConditionExpression: 'attribute_not_exists(disabled) OR disabled = :f',
    ExpressionAttributeValues: { ':t': true, ':f': false, ':u': userId.toLowerCase(), ':at': at, ':by': by, ':why': reason },
  });
}

/** Enables a disabled user again; false if they were not disabled. */
export function enableUser(userId: string, by: string, at = new Date().toISOString()): Promise<boolean> {
  return updateIf({
    TableName: table(),
    Key: keyOf(userId),
    UpdateExpression: 'SET disabled = :f, enabledAt = :at, enabledBy = :by',
    ConditionExpression: 'disabled = :t',
    ExpressionAttributeValues: { ':t': true, ':f': false, ':at': at, ':by': by },
  });
}

/** Strongly consistent: a user disabled a moment ago is refused now. */
export async function isUserDisabled(userId: string): Promise<boolean> {
  const out = await documentClient().send(new GetCommand({ TableName: table(), Key: keyOf(userId), ConsistentRead: true }));
  return out.Item?.disabled === true;
}

/** Whether a caller's credentials still count: their account, and the personal token they used if any. */
export type AccountStanding = 'active' | 'disabled' | 'token_revoked';

interface StandingAsk {
  readonly userId: string;
  readonly personalTokenId?: string;
}

/**
 * Standings asked while a read is in flight wait for it and go together in the next one (every
 * asker's read still starts after they asked, so a user disabled a moment before is refused): a
 * busy API reads the standings of all its concurrent callers in one request per round trip.
 */
const readStandings = coalesced<StandingAsk, AccountStanding>(async (_all, asks) => {
  const tokenKey = (a: StandingAsk) => (a.personalTokenId === undefined ? undefined : revokedTokenKey(a.personalTokenId));
  const keyIds = new Set(asks.flatMap((a) => [keyOf(a.userId).keyId, ...(a.personalTokenId === undefined ? [] : [tokenKey(a)!])]));
  const found = (await getConsistent([...keyIds].map((keyId) => ({ table: table(), key: { keyId } })), 'account standing key(s)')).map(({ item }) => item);
  const present = new Set(found.map((item) => item.keyId));
  const disabled = new Set(found.filter((item) => item.disabled === true).map((item) => item.keyId));
  return asks.map((a) => (tokenKey(a) !== undefined && present.has(tokenKey(a)) ? 'token_revoked' : disabled.has(keyOf(a.userId).keyId) ? 'disabled' : 'active'));
});

/**
 * A caller's standing: the account's item and, for a personal token, its revocation item (both in
 * the API keys table; every authenticated API request asks this), read strongly consistent.
 */
export function accountStanding(userId: string, personalTokenId?: string): Promise<AccountStanding> {
  return readStandings('standings', { userId, personalTokenId });
}

export async function listDisabledUsers(): Promise<DisabledUser[]> {
  const items = await scanAll<DisabledUser>({ TableName: table(), FilterExpression: 'begins_with(keyId, :p) AND disabled = :t', ExpressionAttributeValues: { ':p': PREFIX, ':t': true } });
  const users = items.map(({ userId, disabledAt, disabledBy, reason }) => ({ userId, disabledAt, disabledBy, reason }));
  return users.sort((a, b) => a.userId.localeCompare(b.userId));
}
