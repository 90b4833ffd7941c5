/**
 * Per-invocation scopes for Powertools, as the Lambda runtime provides them when one execution
 * environment runs several invocations at once (`AWS_LAMBDA_MAX_CONCURRENCY`): the Lambda
 * InvokeStore, backed by AsyncLocalStorage, with one context per invocation. Powertools keeps the
 * Lambda context it logs (function name, request id), the log level and temporary keys there,
 * so invocations of different functions sharing one process (the local runtime) never see each
 * other's. On Lambda nothing here is needed: the runtime does it.
 */
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';

const MAX_CONCURRENCY = 'AWS_LAMBDA_MAX_CONCURRENCY';

/**
 * Declares that invocations run concurrently in this process. Call it once, before the first AWS
 * SDK call (the SDK creates the store on its first call, single-invocation unless declared).
 * Returns false, and changes nothing, when that happened already: log context then stays shared.
 *
 * @example
 * await enableConcurrentInvocations();
 * await inInvocationScope(context.awsRequestId, () => handler(event, context));
 */
export async function enableConcurrentInvocations(maxConcurrency = 1000): Promise<boolean> {
  const store = await InvokeStore.getInstanceAsync(true);
  if (!('als' in store)) return false; // InvokeStoreMulti keeps its AsyncLocalStorage as `als`
  process.env[MAX_CONCURRENCY] ??= String(maxConcurrency);
  return true;
}

/** Runs `fn` as one invocation: what Powertools keeps per invocation stays inside it. */
export async function inInvocationScope<T>(requestId: string, fn: () => Promise<T>): Promise<T> {
  if (!process.env[MAX_CONCURRENCY]) return fn();
  const store = await InvokeStore.getInstanceAsync();
  return store.run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: requestId }, fn);
}
