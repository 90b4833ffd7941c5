/**
 * Starts the embedded emulators with a fresh data directory and a knowledge table + bucket,
 * pointing the SDK clients at them through the same env variables the local runtime sets.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { resetClients, s3Client } from '../../../functions/shared/aws-clients.js';
import { ENV } from '../../../functions/shared/env-names.js';
import { startEmulators } from '../../../local/emulators.js';

export interface KnowledgeEnv {
  stop(): Promise<void>;
}

export async function startKnowledgeEnv(): Promise<KnowledgeEnv> {
  const dataDir = await mkdtemp(join(tmpdir(), 'handrail-knowledge-'));
  const emulators = await startEmulators({ dataDir });
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: emulators.dynamodbEndpoint,
    AWS_ENDPOINT_URL_S3: emulators.s3Endpoint,
    [ENV.s3ForcePathStyle]: 'true',
    [ENV.knowledgeTable]: 'test-knowledge',
    [ENV.knowledgeBucket]: 'test-knowledge',
  });
  resetClients();

  const ddb = new DynamoDBClient({});
  await ddb.send(
    new CreateTableCommand({
      TableName: 'test-knowledge',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'collection', AttributeType: 'S' },
        { AttributeName: 'docVersion', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'collection', KeyType: 'HASH' },
        { AttributeName: 'docVersion', KeyType: 'RANGE' },
      ],
    }),
  );
  ddb.destroy();
  await s3Client().send(new CreateBucketCommand({ Bucket: 'test-knowledge' }));

  return {
    async stop() {
      resetClients();
      await emulators.stop();
      process.env = saved;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
