/**
 * Provider health in the gateway table, one item per provider/model, so a cooldown started by one
 * Lambda container (or local run) is seen by every other. Only conditional single-item updates:
 * no transactions, so it behaves the same on DynamoDB and dynalite.
 *
 * Item: { pk: "health#<provider>/<model>", sk: "health", windowStart, failures, cooldownUntil }.
 * A window opens at the first failure; `failures` counts within it; reaching the threshold sets
 * `cooldownUntil` and closes the window, so counting starts afresh after the cooldown.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure, updateIf } from '../records/dynamo-helpers.js';
import { documentClient } from '../shared/aws-clients.js';
import type { CooldownPolicy, HealthStore } from './health.js';

const SK = 'health';

export class DynamoHealthStore implements HealthStore {
  constructor(private readonly table: string) {}

  private key(key: string) {
    return { pk: `health#${key}`, sk: SK };
  }

  async cooldownUntil(key: string): Promise<number> {
    const out = await documentClient().send(
      new GetCommand({ TableName: this.table, Key: this.key(key), ProjectionExpression: 'cooldownUntil', ConsistentRead: true }),
    );
    return Number(out.Item?.cooldownUntil ?? 0);
  }

  async recordFailure(key: string, now: number, policy: CooldownPolicy): Promise<number | undefined> {
    const cutoff = now - policy.windowMs;
    // Two tries: a concurrent writer may open the window between our count and our open.
    let failures: number | undefined;
    let windowStart = 0;
    for (let i = 0; i < 2 && failures === undefined; i++) {
      const counted = (await this.countInOpenWindow(key, cutoff)) ?? (await this.openWindow(key, now, cutoff));
      if (counted) ({ failures, windowStart } = counted);
    }
    if (failures === undefined || failures < policy.failures) return undefined;
    return this.trip(key, windowStart, policy.failures, now, now + policy.cooldownMs);
  }

  /** ADD 1 to an open window; undefined when there is none (first failure, or it expired). */
  private async countInOpenWindow(key: string, cutoff: number) {
    try {
      const out = await documentClient().send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(key),
          UpdateExpression: 'ADD failures :one',
          ConditionExpression: 'windowStart > :cutoff',
          ExpressionAttributeValues: { ':one': 1, ':cutoff': cutoff },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { failures: Number(out.Attributes?.failures), windowStart: Number(out.Attributes?.windowStart) };
    } catch (err) {
      if (isConditionFailure(err)) return undefined;
      throw err;
    }
  }

  /** Opens a window with this failure; undefined if another writer opened one first. */
  private async openWindow(key: string, now: number, cutoff: number) {
    const opened = await updateIf({
      TableName: this.table,
      Key: this.key(key),
      UpdateExpression: 'SET windowStart = :now, failures = :one',
      ConditionExpression: 'attribute_not_exists(windowStart) OR windowStart <= :cutoff',
      ExpressionAttributeValues: { ':now': now, ':one': 1, ':cutoff': cutoff },
    });
    return opened ? { failures: 1, windowStart: now } : undefined;
  }

  /** Starts the cooldown, once per window: concurrent writers that also reached the threshold lose the condition. */
  private async trip(key: string, windowStart: number, threshold: number, now: number, until: number): Promise<number | undefined> {
    const tripped = await updateIf({
      TableName: this.table,
      Key: this.key(key),
      UpdateExpression: 'SET cooldownUntil = :until, failures = :zero REMOVE windowStart',
      ConditionExpression: 'windowStart = :ws AND failures >= :n',
      ExpressionAttributeValues: { ':until': until, ':zero': 0, ':ws': windowStart, ':n': threshold },
    });
    if (tripped) return until;
    // Someone else tripped it: report their cooldown so this process skips the model too.
    const current = await this.cooldownUntil(key);
    return current > now ? current : undefined;
  }
}
