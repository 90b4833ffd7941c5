/**
 * Creates the tables and buckets the synthesized template declares, if they do not exist yet, and
 * brings a table made by an earlier version up to date when the template added an index to it.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
  ScanCommand,
  type AttributeValue,
  type CreateTableCommandInput,
  waitUntilTableExists,
  waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
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

/**
 * `migrationsDir` holds a table's items while it is rebuilt (dynalite cannot add an index to an
 * existing table): they are saved to a file first, so a stop half-way restores them on the next start.
 *
 * `rebuildIndexes` (after an unclean stop) rebuilds every table that has secondary indexes from its
 * items: dynalite writes an item's index entries and the item itself as separate LevelDB writes, so
 * a kill between them leaves an index entry without its item (a phantom in listings) or an item
 * without its current entry (missing from the inbox). DynamoDB itself writes them atomically.
 *
 * `client`: where the tables are (default: the SDK's environment, AWS_ENDPOINT_URL_DYNAMODB).
 */
export async function ensureTables(tables: LocalTable[], migrationsDir: string, options: { rebuildIndexes?: boolean; client?: DynamoDBClientConfig } = {}): Promise<void> {
  const client = new DynamoDBClient(options.client ?? {});
  for (const table of tables) {
    const input = createTableInput(table);
    const saved = join(migrationsDir, `${table.name}.jsonl`);
    let existing: Set<string> | undefined;
    try {
      const out = await client.send(new DescribeTableCommand({ TableName: table.name }));
      existing = new Set((out.Table?.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName!));
    } catch (err) {
      if ((err as Error).name !== 'ResourceNotFoundException') throw err;
    }
    const missing = (input.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName!).filter((name) => existing && !existing.has(name));
    const rebuild = Boolean(options.rebuildIndexes && existing && input.GlobalSecondaryIndexes?.length);
    if (existing && !missing.length && !rebuild && !existsSync(saved)) continue;
    if (existing && !existsSync(saved)) {
      mkdirSync(migrationsDir, { recursive: true });
      const items = await scanAll(client, table.name);
      writeFileSync(`${saved}.tmp`, items.map((i) => `${JSON.stringify(i)}\n`).join(''));
      renameSync(`${saved}.tmp`, saved);
      if (missing.length) console.log(`handrail: adding index ${missing.join(', ')} to table ${table.name} (${items.length} items kept)`);
    }
    if (existing) {
      await client.send(new DeleteTableCommand({ TableName: table.name }));
      await waitUntilTableNotExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { TableName: table.name });
    }
    await client.send(new CreateTableCommand(input));
    await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { TableName: table.name });
    if (existsSync(saved)) {
      const items = readFileSync(saved, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, AttributeValue>);
      await putAll(client, table.name, items);
      rmSync(saved);
    }
  }
  client.destroy();
}

async function scanAll(client: DynamoDBClient, tableName: string): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

async function putAll(client: DynamoDBClient, tableName: string, items: Record<string, AttributeValue>[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    let requests = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    while (requests.length) {
      const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }));
      requests = (out.UnprocessedItems?.[tableName] ?? []) as typeof requests;
    }
  }
}

/** `client`: where the buckets are (default: the SDK's environment, AWS_ENDPOINT_URL_S3). */
export async function ensureBuckets(buckets: string[], client: S3ClientConfig = {}): Promise<void> {
  const s3 = new S3Client({ ...client, forcePathStyle: true });
  for (const bucket of buckets) {
    try {
      await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    } catch {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    }
  }
  s3.destroy();
}
