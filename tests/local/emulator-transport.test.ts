import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConditionalCheckFailedException, CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorExchange, type EmulatorExchange } from '../../local/emulator-transport.js';
import { startEmulators, type Emulators } from '../../local/emulators.js';
import { InProcessRequestHandler } from '../../local/in-process-requests.js';

// The real SDK client, its requests handed to dynalite on the emulators' thread over a MessagePort.
describe('DynamoDB without a socket (emulator-transport.ts)', () => {
  let dataDir: string;
  let emulators: Emulators;
  let port: EmulatorExchange;
  let viaPort: DynamoDBClient;
  let viaHttp: DynamoDBClient;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'handrail-transport-'));
    emulators = await startEmulators({ dataDir });
    port = emulatorExchange(emulators.connect());
    // No endpoint listens at port 9: what these clients get, they got over the port.
    viaPort = new DynamoDBClient({ endpoint: 'http://127.0.0.1:9', requestHandler: new InProcessRequestHandler(port.exchange) });
    viaHttp = new DynamoDBClient({ endpoint: emulators.dynamodbEndpoint });
    await viaPort.send(new CreateTableCommand({ TableName: 'items', BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }] }));
  });
  afterAll(async () => {
    viaPort.destroy();
    viaHttp.destroy();
    port.close();
    await emulators.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('writes and reads the same table the HTTP endpoint serves, and is counted like it', async () => {
    const before = await emulators.requests();
    await viaPort.send(new PutItemCommand({ TableName: 'items', Item: { pk: { S: 'a' }, text: { S: 'Grüße ✓' }, n: { N: '1' } } }));
    await viaPort.send(new UpdateItemCommand({ TableName: 'items', Key: { pk: { S: 'a' } }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } } }));
    const read = await viaHttp.send(new GetItemCommand({ TableName: 'items', Key: { pk: { S: 'a' } }, ConsistentRead: true }));
    expect(read.Item).toEqual({ pk: { S: 'a' }, text: { S: 'Grüße ✓' }, n: { N: '2' } });
    const back = await viaPort.send(new GetItemCommand({ TableName: 'items', Key: { pk: { S: 'a' } } }));
    expect(back.Item).toEqual(read.Item);
    const after = await emulators.requests();
    const served = (op: string) => (after[op] ?? 0) - (before[op] ?? 0);
    expect([served('dynamodb:PutItem'), served('dynamodb:UpdateItem'), served('dynamodb:GetItem')]).toEqual([1, 1, 2]);
  });

  it("surfaces the service's errors as the SDK's exceptions, with their messages", async () => {
    await viaPort.send(new PutItemCommand({ TableName: 'items', Item: { pk: { S: 'taken' } } }));
    const conflict = await viaPort.send(new PutItemCommand({ TableName: 'items', Item: { pk: { S: 'taken' } }, ConditionExpression: 'attribute_not_exists(pk)' })).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(ConditionalCheckFailedException);
    const invalid = await viaPort.send(new GetItemCommand({ TableName: 'items', Key: { other: { S: 'x' } } })).catch((e: Error) => e);
    expect((invalid as Error).name).toBe('ValidationException');
    expect((invalid as Error).message).toMatch(/key/i);
    const missing = await viaPort.send(new GetItemCommand({ TableName: 'no-such-table', Key: { pk: { S: 'x' } } })).catch((e: Error) => e);
    expect((missing as Error).name).toBe('ResourceNotFoundException');
  });

  it('answers concurrent requests each with its own reply', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
    await Promise.all(keys.map((k, i) => viaPort.send(new PutItemCommand({ TableName: 'items', Item: { pk: { S: k }, i: { N: String(i) } } }))));
    const items = await Promise.all(keys.map((k) => viaPort.send(new GetItemCommand({ TableName: 'items', Key: { pk: { S: k } } }))));
    expect(items.map((r) => r.Item?.i?.N)).toEqual(keys.map((_, i) => String(i)));
  });

  it('fails the requests still out when the emulators stop, and those sent after, as a closed connection would', async () => {
    const other = emulatorExchange(emulators.connect());
    const request = { method: 'POST', url: '/', headers: { 'x-amz-target': 'DynamoDB_20120810.ListTables', 'content-type': 'application/x-amz-json-1.0' }, body: '{}' };
    const inFlight = other.exchange(request);
    other.close();
    await expect(inFlight).rejects.toThrow('The local DynamoDB emulator stopped');
    const client = new DynamoDBClient({ endpoint: 'http://127.0.0.1:9', requestHandler: new InProcessRequestHandler(other.exchange), maxAttempts: 1 });
    await expect(client.send(new GetItemCommand({ TableName: 'items', Key: { pk: { S: 'a' } } }))).rejects.toThrow('The local DynamoDB emulator stopped');
    client.destroy();
  });

  it('fails requests instead of waiting forever once the emulators have stopped', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'handrail-transport-stopped-'));
    const others = await startEmulators({ dataDir: dir });
    const other = emulatorExchange(others.connect());
    await others.stop();
    const request = { method: 'POST', url: '/', headers: { 'x-amz-target': 'DynamoDB_20120810.ListTables', 'content-type': 'application/x-amz-json-1.0' }, body: '{}' };
    await expect(other.exchange(request)).rejects.toThrow('The local DynamoDB emulator stopped');
    await rm(dir, { recursive: true, force: true });
  });
});
