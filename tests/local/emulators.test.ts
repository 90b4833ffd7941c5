import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulators, type Emulators } from '../../local/emulators.js';

describe('embedded emulators', () => {
  let dataDir: string;
  let emulators: Emulators;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'handrail-emulators-'));
    emulators = await startEmulators({ dataDir });
  });
  afterAll(async () => {
    await emulators.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('counts the requests it serves by operation (what the bench reports per run)', async () => {
    const before = await emulators.requests();
    const ddb = new DynamoDBClient({ endpoint: emulators.dynamodbEndpoint });
    const s3 = new S3Client({ endpoint: emulators.s3Endpoint, forcePathStyle: true });
    await ddb.send(new CreateTableCommand({ TableName: 'counted', BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }] }));
    await ddb.send(new PutItemCommand({ TableName: 'counted', Item: { pk: { S: 'a' } } }));
    await ddb.send(new GetItemCommand({ TableName: 'counted', Key: { pk: { S: 'a' } } }));
    await ddb.send(new GetItemCommand({ TableName: 'counted', Key: { pk: { S: 'a' } } }));
    await s3.send(new CreateBucketCommand({ Bucket: 'counted' }));
    await s3.send(new PutObjectCommand({ Bucket: 'counted', Key: 'k', Body: 'x' }));
    await (await s3.send(new GetObjectCommand({ Bucket: 'counted', Key: 'k' }))).Body!.transformToString();
    ddb.destroy();
    s3.destroy();

    const after = await emulators.requests();
    const served = (op: string) => (after[op] ?? 0) - (before[op] ?? 0);
    expect(served('dynamodb:CreateTable')).toBe(1);
    expect(served('dynamodb:PutItem')).toBe(1);
    expect(served('dynamodb:GetItem')).toBe(2);
    expect(served('s3:PUT')).toBe(2); // the bucket and the object
    expect(served('s3:GET')).toBe(1);
  });
});
