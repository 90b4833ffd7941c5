/**
 * The embedded DynamoDB emulator with a gateway table shaped as the stack declares it (pk/sk and
 * the sparse byDay index), and the SDK clients pointed at it, as the local runtime does.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { resetClients } from '../../../functions/shared/aws-clients.js';
import { ENV } from '../../../functions/shared/env-names.js';
import { BY_DAY_INDEX } from '../../../functions/usage/counters.js';
import { startEmulators } from '../../../local/emulators.js';

export const GATEWAY_TABLE = 'test-gateway';

export interface GatewayTableEnv {
  /** Sets the variables again (for tests whose other helpers restore process.env after each test). */
  apply(): void;
  stop(): Promise<void>;
}

export async function startGatewayTableEnv(): Promise<GatewayTableEnv> {
  const dataDir = await mkdtemp(join(tmpdir(), 'handrail-gateway-'));
  const emulators = await startEmulators({ dataDir });
  const saved = { ...process.env };
  const apply = () => {
    Object.assign(process.env, { AWS_ENDPOINT_URL_DYNAMODB: emulators.dynamodbEndpoint, [ENV.gatewayTable]: GATEWAY_TABLE });
    resetClients();
  };
  apply();
  const ddb = new DynamoDBClient({});
  const S = 'S' as const;
  await ddb.send(
    new CreateTableCommand({
      TableName: GATEWAY_TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: ['pk', 'sk', 'day', 'workflowId'].map((AttributeName) => ({ AttributeName, AttributeType: S })),
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
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
    }),
  );
  ddb.destroy();
  return {
    apply,
    async stop() {
      resetClients();
      await emulators.stop();
      process.env = saved;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
