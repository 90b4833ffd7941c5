/** Creates the tables and buckets the synthesized template declares, if they do not exist yet. */
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { LocalTable } from './template-reader.js';

type Gsi = { IndexName: string; KeySchema: unknown; Projection?: unknown };

/** The parts of AWS::DynamoDB::Table that CreateTable takes, with on-demand billing. */
export function createTableInput(table: LocalTable): CreateTableCommandInput {
  const p = table.properties as { KeySchema: unknown; AttributeDefinitions: unknown; GlobalSecondaryIndexes?: Gsi[] };
  return {
    TableName: table.name,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: p.KeySchema as CreateTableCommandInput['KeySchema'],
    AttributeDefinitions: p.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
    ...(p.GlobalSecondaryIndexes?.length
      ? {
          GlobalSecondaryIndexes: p.GlobalSecondaryIndexes.map((g) => ({
            IndexName: g.IndexName,
            KeySchema: g.KeySchema,
            Projection: g.Projection ?? { ProjectionType: 'ALL' },
          })) as CreateTableCommandInput['GlobalSecondaryIndexes'],
        }
      : {}),
  };
}

export async function ensureTables(tables: LocalTable[]): Promise<void> {
  const client = new DynamoDBClient({});
  for (const table of tables) {
    try {
      await client.send(new DescribeTableCommand({ TableName: table.name }));
    } catch (err) {
      if ((err as Error).name !== 'ResourceNotFoundException') throw err;
      await client.send(new CreateTableCommand(createTableInput(table)));
    }
  }
  client.destroy();
}

export async function ensureBuckets(buckets: string[]): Promise<void> {
  const client = new S3Client({ forcePathStyle: true });
  for (const bucket of buckets) {
    try {
      await client.send(new HeadBucketCommand({ Bucket: bucket }));
    } catch {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
    }
  }
  client.destroy();
}
