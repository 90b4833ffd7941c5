/**
 * One Lambda execution environment of the bundle host (bundle-host.ts): a Node process started in
 * the function's asset directory with exactly its environment. It imports the bundle once (the
 * init phase: `_HANDLER`, e.g. `index.handler`, in LAMBDA_TASK_ROOT), then runs the invocations the
 * host sends over IPC one at a time, each with a Lambda context and its own X-Ray trace id, and
 * answers with the JSON result or the error as Lambda reports it ({errorType, errorMessage}).
 *
 * Plain JavaScript on purpose: nothing from the project is loaded here, only the bundle.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The environment the process started with, before the bundle's code could add to it. */
const startEnv = { ...process.env };

/** What Lambda reports for an error: its name (the class, with keepNames), message and stack lines. */
function lambdaError(err, errorType) {
  const e = err instanceof Error ? err : new Error(String(err));
  return { errorType: errorType ?? e.name ?? 'Error', errorMessage: e.message, trace: String(e.stack ?? '').split('\n') };
}

function send(message) {
  return new Promise((resolve) => process.send(message, () => resolve()));
}

/** The Node.js runtime's module lookup: `<name>.js`, `.mjs` or `.cjs` in the task root. */
function handlerModule(taskRoot, handler) {
  const dot = handler.lastIndexOf('.');
  const name = handler.slice(0, dot);
  for (const ext of ['.js', '.mjs', '.cjs']) {
    const file = join(taskRoot, `${name}${ext}`);
    if (existsSync(file)) return { file, exportName: handler.slice(dot + 1) };
  }
  throw Object.assign(new Error(`Cannot find module '${name}'`), { errorType: 'Runtime.ImportModuleError' });
}

async function init() {
  const taskRoot = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
  const handlerName = process.env._HANDLER ?? 'index.handler';
  const { file, exportName } = handlerModule(taskRoot, handlerName);
  let mod;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (err) {
    throw Object.assign(err instanceof Error ? err : new Error(String(err)), { errorType: err?.code === 'ERR_MODULE_NOT_FOUND' ? 'Runtime.ImportModuleError' : undefined });
  }
  const handler = mod[exportName];
  if (typeof handler !== 'function') throw Object.assign(new Error(`${handlerName} is undefined or not exported`), { errorType: 'Runtime.HandlerNotFound' });
  return handler;
}

/** Calls the handler as the Node.js runtime does: a promise it returns, or the callback it calls. */
function call(handler, event, context) {
  return new Promise((resolve, reject) => {
    const callback = (err, result) => (err ? reject(err) : resolve(result));
    try {
      const returned = handler(event, context, callback);
      if (returned && typeof returned.then === 'function') returned.then(resolve, reject);
    } catch (err) {
      reject(err);
    }
  });
}

function contextFor(invocation) {
  const env = process.env;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: invocation.functionArn,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: invocation.requestId,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(0, invocation.deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

let handler;
try {
  handler = await init();
  await send({ type: 'ready' });
} catch (err) {
  // Lambda discards an environment whose init failed; the host starts a new one for the next invoke.
  await send({ type: 'init-error', error: lambdaError(err, err?.errorType) });
  process.exit(1);
}

// A host that went away takes its environments with it.
process.on('disconnect', () => process.exit(0));

let queue = Promise.resolve();
process.on('message', (message) => {
  if (message?.type === 'describe') {
    void send({ type: 'described', id: message.id, pid: process.pid, startEnv, env: { ...process.env } });
    return;
  }
  if (message?.type !== 'invoke') return;
  // One invocation at a time, as in a Lambda execution environment.
  queue = queue.then(async () => {
    process.env._X_AMZN_TRACE_ID = `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0`;
    let reply;
    try {
      const result = await call(handler, JSON.parse(message.payload), contextFor(message));
      reply = { type: 'result', id: message.id, payload: JSON.stringify(result === undefined ? null : result) };
    } catch (err) {
      reply = { type: 'error', id: message.id, error: lambdaError(err) };
    }
    delete process.env._X_AMZN_TRACE_ID;
    await send(reply);
  });
});
