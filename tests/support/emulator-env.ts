/**
 * The embedded emulators with a fresh data directory, the tables a test needs, and the SDK clients
 * pointed at them through the same env variables the local runtime sets. `stop` restores the
 * environment and removes the data.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { resetClients } from '../../functions/shared/aws-clients.js';
import { startEmulators, type Emulators } from '../../local/emulators.js';

export interface EmulatorEnv {
  readonly emulators: Emulators;
  /** Sets the variables again (for tests whose other helpers restore process.env after each test). */
  apply(): void;
  stop(): Promise<void>;
}

export interface EmulatorEnvOptions {
  /** The data directory's name prefix. */
  readonly name: string;
  /** Variables to set besides AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_S3. */
  readonly env: Record<string, string>;
  readonly tables: CreateTableCommandInput[];
}

export async function startEmulatorEnv(options: EmulatorEnvOptions): Promise<EmulatorEnv> {
  const dataDir = await mkdtemp(join(tmpdir(), `handrail-${options.name}-`));
  const emulators = await startEmulators({ dataDir });
  const saved = { ...process.env };
  const apply = () => {
    Object.assign(process.env, { AWS_ENDPOINT_URL_DYNAMODB: emulators.dynamodbEndpoint, AWS_ENDPOINT_URL_S3: emulators.s3Endpoint, ...options.env });
    // Cached clients would keep the previous endpoints.
    resetClients();
  };
  apply();
  const ddb = new DynamoDBClient({});
  for (const table of options.tables) await ddb.send(new CreateTableCommand({ BillingMode: 'PAY_PER_REQUEST', ...table }));
  ddb.destroy();
  return {
    emulators,
    apply,
    async stop() {
      resetClients();
      await emulators.stop();
      process.env = saved;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The key schema of a table with string hash and range keys (every Handrail table's shape). */
export function stringKeys(hash: string, range: string): Pick<CreateTableCommandInput, 'AttributeDefinitions' | 'KeySchema'> {
  return {
    AttributeDefinitions: [
      { AttributeName: hash, AttributeType: 'S' },
      { AttributeName: range, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: hash, KeyType: 'HASH' },
      { AttributeName: range, KeyType: 'RANGE' },
    ],
  };
}
