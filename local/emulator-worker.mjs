// Runs dynalite and s3rver on a worker thread, so DynamoDB/S3 emulation uses the second core
// instead of competing with the handlers and the state machines on the main thread.
// Plain JavaScript: a worker does not inherit the TypeScript loader of the main thread.
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';

// LevelDB memory-maps every table file it keeps open (up to 1,000 by default), so the process's
// resident memory would grow with the size of the data. dynalite opens its LevelDB with default
// options; give it a small table cache instead, before dynalite loads: memory stays flat as data
// grows (bench/soak.ts), at the cost of reopening cold files. Nor does it compress blocks (Snappy):
// LevelDB's compaction thread spent a third of its time compressing and uncompressing what it
// rewrites, for files that sit on the developer's disk (bench: its thread's CPU per run). And its
// write buffer is 16 MB, not 4: a quarter of the flushes and level-0 compactions, which took that
// thread from about 2.3 to 1 ms of CPU per decision (memory: up to two buffers, 32 MB).
const require = createRequire(import.meta.url);
const level = require(require.resolve('level', { paths: [dirname(require.resolve('dynalite'))] }));
const { Level } = level;
level.Level = class extends Level {
  constructor(location, options) {
    super(location, { maxOpenFiles: 32, compression: false, writeBufferSize: 16 * 1024 * 1024, ...options });
  }
};
const { default: dynalite } = await import('dynalite');
const { default: S3rver } = await import('s3rver');

const { dataDir, host } = workerData;
const dynamoDir = join(dataDir, 'dynamodb');
const s3Dir = join(dataDir, 's3');
mkdirSync(dynamoDir, { recursive: true });
mkdirSync(s3Dir, { recursive: true });

// Requests served, by operation (DynamoDB's X-Amz-Target action, S3's method): `npm run bench`
// reports them per run, the write path that decides the local throughput.
const requests = {};
const count = (key) => {
  requests[key] = (requests[key] ?? 0) + 1;
};
// DynamoDB requests by how they came: over a socket (HTTP) or a thread's port (emulator-transport.ts).
const dynamodbChannels = { socket: 0, port: 0 };
const countDynamo = (channel, headers, method) => {
  dynamodbChannels[channel]++;
  count(`dynamodb:${String(headers['x-amz-target'] ?? '').split('.').pop() || method}`);
};

/**
 * Serves the DynamoDB requests a thread sends over `port` (emulator-transport.ts) with dynalite's
 * own request handler, given a request and a response that carry what its HTTP server's would.
 */
function serveDynamoRequests(port, handler) {
  port.on('message', ({ id, method, url, headers, body }) => {
    countDynamo('port', headers, method);
    const req = Object.assign(new EventEmitter(), { method, url, headers });
    const replyHeaders = {};
    let replied = false;
    const reply = (statusCode, data) => {
      if (replied) return;
      replied = true;
      port.postMessage({ id, statusCode, headers: replyHeaders, body: data === undefined ? '' : String(data) });
    };
    const res = {
      statusCode: 200,
      setHeader(name, value) {
        replyHeaders[name.toLowerCase()] = String(value);
      },
      end(data) {
        reply(res.statusCode, data);
      },
    };
    try {
      handler(req, res);
      if (body) req.emit('data', Buffer.from(body, 'utf8'));
      req.emit('end');
    } catch (err) {
      // What dynalite's HTTP server would do with a handler that throws: a 500, not a lost request.
      replyHeaders['content-type'] = 'application/x-amz-json-1.0';
      reply(500, JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: err instanceof Error ? err.message : String(err) }));
    }
  });
}

try {
  const dynamo = dynalite({ path: dynamoDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  dynamo.on('request', (req) => countDynamo('socket', req.headers, req.method));
  await new Promise((resolve, reject) => {
    dynamo.once('error', reject);
    dynamo.listen(0, host, resolve);
  });
  const s3 = new S3rver({ address: host, port: 0, directory: s3Dir, silent: true, resetOnClose: false });
  const s3Address = await s3.run();
  s3.httpServer?.on('request', (req) => count(`s3:${req.method}`));
  parentPort.postMessage({ type: 'ready', dynamodbEndpoint: `http://${host}:${dynamo.address().port}`, s3Endpoint: `http://${host}:${s3Address.port}` });
  parentPort.on('message', async (message) => {
    // A thread's port to DynamoDB (emulators.ts connect), served by dynalite's request handler.
    if (message?.type === 'connect') {
      serveDynamoRequests(message.port, dynamo.listeners('request')[0]);
      return;
    }
    // The soak report (bench/soak.ts) asks what the emulators' thread holds.
    if (message === 'requests') {
      parentPort.postMessage({ type: 'requests', counts: { ...requests }, dynamodbChannels: { ...dynamodbChannels } });
      return;
    }
    if (message === 'memory') {
      const { heapUsed, external, arrayBuffers } = process.memoryUsage();
      parentPort.postMessage({ type: 'memory', heapUsed, external, arrayBuffers });
      return;
    }
    if (message !== 'stop') return;
    await new Promise((resolve) => dynamo.close(() => resolve()));
    await s3.close();
    parentPort.postMessage({ type: 'stopped' });
  });
} catch (err) {
  parentPort.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) });
}
