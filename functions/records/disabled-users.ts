/**
 * Disabled users, kept in the API keys table (the stage's credentials and their revocations) under
 * `user#<email>`: every sign-in (ID token, personal token, review or inbox link) of a disabled user
 * is refused from the next request on, though their tokens have not expired. Disabling and enabling
 * are conditional updates, so each happens once and the item keeps who did it last and why.
 */
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/aws-clients.js';
import { ENV } from '../shared/env-names.js';
import { requireEnv } from '../shared/env.js';
import { updateIf } from './dynamo-helpers.js';

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

export async function listDisabledUsers(): Promise<DisabledUser[]> {
  const users: DisabledUser[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient().send(
      new ScanCommand({
        TableName: table(),
        FilterExpression: 'begins_with(keyId, :p) AND disabled = :t',
        ExpressionAttributeValues: { ':p': PREFIX, ':t': true },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of out.Items ?? []) users.push({ userId: item.userId, disabledAt: item.disabledAt, disabledBy: item.disabledBy, reason: item.reason });
    start = out.LastEvaluatedKey;
  } while (start);
  return users.sort((a, b) => a.userId.localeCompare(b.userId));
}
