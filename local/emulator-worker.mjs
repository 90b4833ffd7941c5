// Runs dynalite and s3rver on a worker thread, so DynamoDB/S3 emulation uses the second core
// instead of competing with the handlers and the state machines on the main thread.
// Plain JavaScript: a worker does not inherit the TypeScript loader of the main thread.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import dynalite from 'dynalite';
import S3rver from 's3rver';

const { dataDir, host } = workerData;
const dynamoDir = join(dataDir, 'dynamodb');
const s3Dir = join(dataDir, 's3');
mkdirSync(dynamoDir, { recursive: true });
mkdirSync(s3Dir, { recursive: true });

try {
  const dynamo = dynalite({ path: dynamoDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise((resolve, reject) => {
    dynamo.once('error', reject);
    dynamo.listen(0, host, resolve);
  });
  const s3 = new S3rver({ address: host, port: 0, directory: s3Dir, silent: true, resetOnClose: false });
  const s3Address = await s3.run();
  parentPort.postMessage({ type: 'ready', dynamodbEndpoint: `http://${host}:${dynamo.address().port}`, s3Endpoint: `http://${host}:${s3Address.port}` });
  parentPort.on('message', async (message) => {
    if (message !== 'stop') return;
    await new Promise((resolve) => dynamo.close(() => resolve()));
    await s3.close();
    parentPort.postMessage({ type: 'stopped' });
  });
} catch (err) {
  parentPort.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) });
}
