/**
 * The embedded AWS emulators: dynalite (DynamoDB on LevelDB) and s3rver (S3 on the file system),
 * listening on loopback from a worker thread (emulator-worker.mjs). Data lives under `dataDir`
 * and survives restarts. A thread of this process may also reach DynamoDB without a socket
 * (`connect`, emulator-transport.ts).
 */
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';

export interface Emulators {
  readonly dynamodbEndpoint: string;
  readonly s3Endpoint: string;
  /** What the emulators' thread holds (its V8 heap and buffers), for the soak report. */
  memory(): Promise<{ heapUsed: number; external: number; arrayBuffers: number }>;
  /**
   * A port to DynamoDB's request handler on the emulators' thread, for one thread of this process
   * (emulator-transport.ts); transfer it to hand it to another thread.
   */
  connect(): MessagePort;
  /** Requests served since start, by operation (`dynamodb:PutItem`, `s3:GET`…), for the bench report. */
  requests(): Promise<Record<string, number>>;
  /** DynamoDB requests served since start by how they came: over a socket, or a thread's port (`connect`). */
  dynamodbChannels(): Promise<{ socket: number; port: number }>;
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  /** Where data persists. */
  readonly dataDir: string;
  readonly host?: string;
}

type WorkerMessage =
  | { type: 'ready'; dynamodbEndpoint: string; s3Endpoint: string }
  | { type: 'stopped' }
  | { type: 'memory'; heapUsed: number; external: number; arrayBuffers: number }
  | { type: 'requests'; counts: Record<string, number>; dynamodbChannels: { socket: number; port: number } }
  | { type: 'error'; message: string };

export async function startEmulators({ dataDir, host = '127.0.0.1' }: EmulatorOptions): Promise<Emulators> {
  const worker = new Worker(new URL('./emulator-worker.mjs', import.meta.url), { workerData: { dataDir, host }, execArgv: [] });
  const next = () =>
    new Promise<WorkerMessage>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  const ready = await next();
  if (ready.type === 'error') {
    await worker.terminate();
    throw new Error(`The local DynamoDB/S3 emulators could not start: ${ready.message}`);
  }
  if (ready.type !== 'ready') throw new Error('The emulator worker sent an unexpected message');
  const served = async () => {
    const reply = next();
    worker.postMessage('requests');
    const m = await reply;
    if (m.type !== 'requests') throw new Error('The emulator worker sent an unexpected message');
    return m;
  };
  return {
    dynamodbEndpoint: ready.dynamodbEndpoint,
    s3Endpoint: ready.s3Endpoint,
    connect() {
      const { port1, port2 } = new MessageChannel();
      worker.postMessage({ type: 'connect', port: port2 }, [port2]);
      return port1;
    },
    async memory() {
      const reply = next();
      worker.postMessage('memory');
      const m = await reply;
      if (m.type !== 'memory') throw new Error('The emulator worker sent an unexpected message');
      return { heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
    },
    async requests() {
      return (await served()).counts;
    },
    async dynamodbChannels() {
      return (await served()).dynamodbChannels;
    },
    async stop() {
      const stopped = next();
      worker.postMessage('stop');
      await stopped;
      await worker.terminate();
    },
  };
}
