/**
 * The embedded AWS emulators: dynalite (DynamoDB on LevelDB) and s3rver (S3 on the file system),
 * listening on loopback. Data lives under `dataDir` and survives restarts.
 */
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import dynalite from 'dynalite';
import S3rver from 's3rver';

export interface Emulators {
  readonly dynamodbEndpoint: string;
  readonly s3Endpoint: string;
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  /** Where data persists; omit for in-memory DynamoDB and a temporary S3 directory. */
  readonly dataDir: string;
  readonly host?: string;
}

function listen(server: Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve((server.address() as AddressInfo).port));
  });
}

export async function startEmulators({ dataDir, host = '127.0.0.1' }: EmulatorOptions): Promise<Emulators> {
  const dynamoDir = join(dataDir, 'dynamodb');
  const s3Dir = join(dataDir, 's3');
  mkdirSync(dynamoDir, { recursive: true });
  mkdirSync(s3Dir, { recursive: true });

  const dynamo: Server = dynalite({ path: dynamoDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const dynamoPort = await listen(dynamo, host);

  const s3 = new S3rver({ address: host, port: 0, directory: s3Dir, silent: true, resetOnClose: false });
  const s3Address = (await s3.run()) as AddressInfo;

  return {
    dynamodbEndpoint: `http://${host}:${dynamoPort}`,
    s3Endpoint: `http://${host}:${s3Address.port}`,
    async stop() {
      await new Promise<void>((resolve) => dynamo.close(() => resolve()));
      await s3.close();
    },
  };
}
