/**
 * Inside the functions' thread (lambda-thread.ts): a LambdaHost that runs each invocation the main
 * thread sends, with the environment the main thread has, and answers with its result or its error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { installRequestHandler } from '../functions/shared/aws-request-handlers.js';
import { enableConcurrentInvocations } from '../functions/shared/invocation-scope.js';
import { emulatorExchange } from './emulator-transport.js';
import { InProcessRequestHandler } from './in-process-requests.js';
import { installFunctionEnv } from './function-env.js';
import { LambdaHost } from './lambda-host.js';
import type { ThreadData, ThreadReply, ThreadRequest } from './lambda-thread.js';

const port = parentPort!;
const data = workerData as ThreadData;

/** Makes this thread's environment exactly `values`. */
function setEnvironment(values: Record<string, string>): void {
  for (const name of Object.keys(process.env)) if (!(name in values)) delete process.env[name];
  Object.assign(process.env, values);
}

setEnvironment(data.env);
if (data.dynamodb) installRequestHandler('dynamodb', new InProcessRequestHandler(emulatorExchange(data.dynamodb).exchange));
installFunctionEnv();
await enableConcurrentInvocations();
const visible = new Map(Object.entries(data.visible).map(([arn, names]) => [arn, new Set(names)]));
const host = new LambdaHost(data.functions, data.projectRoot, (fn) => visible.get(fn.arn) ?? new Set(), (fn) => data.own[fn.arn] ?? {});

port.on('message', (request: ThreadRequest) => {
  if (request.type === 'env') return setEnvironment(request.values);
  host.invokeJson(request.arn, request.event).then(
    (result) => port.postMessage({ type: 'result', id: request.id, result } satisfies ThreadReply),
    (err: Error) => port.postMessage({ type: 'error', id: request.id, name: err.name, message: err.message } satisfies ThreadReply),
  );
});
port.postMessage({ type: 'ready' } satisfies ThreadReply);
