/**
 * The embedded DynamoDB emulator with a gateway table shaped as the stack declares it (pk/sk and
 * the sparse byDay index), and the SDK clients pointed at it, as the local runtime does.
 */
import { ENV } from '../../../functions/shared/env-names.js';
import { BY_DAY_INDEX } from '../../../functions/usage/counters.js';
import { startEmulatorEnv, stringKeys, type EmulatorEnv } from '../../support/emulator-env.js';
import { throttleEnv, throttleTable } from '../../support/throttle-table.js';

export const GATEWAY_TABLE = 'test-gateway';

export type GatewayTableEnv = Pick<EmulatorEnv, 'apply' | 'stop'>;

export function startGatewayTableEnv(): Promise<GatewayTableEnv> {
  const keys = stringKeys('pk', 'sk');
  return startEmulatorEnv({
    name: 'gateway',
    // GET /usage goes through the API app, which counts each request (the throttle table).
    env: { [ENV.gatewayTable]: GATEWAY_TABLE, ...throttleEnv },
    tables: [
      {
        TableName: GATEWAY_TABLE,
        ...keys,
        AttributeDefinitions: [...keys.AttributeDefinitions!, ...['day', 'workflowId'].map((AttributeName) => ({ AttributeName, AttributeType: 'S' as const }))],
        GlobalSecondaryIndexes: [
          {
            IndexName: BY_DAY_INDEX,
            KeySchema: [
              { AttributeName: 'day', KeyType: 'HASH' },
              { AttributeName: 'workflowId', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      },
      throttleTable,
    ],
  });
}
