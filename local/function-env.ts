/**
 * Each function sees only its own environment, locally as on AWS: inside an invocation, `process.env`
 * answers only the names its template function declares (plus the runtime's own: AWS_*, Node's,
 * Powertools', and the local stand-ins for what is a secret on AWS). A handler that reads a variable
 * its function does not have gets undefined here exactly as it would on Lambda, even though every
 * function shares this process. Outside invocations (the runtime itself) nothing is hidden.
 *
 * Module state is still shared between functions in one process (e.g. a cached secret); only the
 * environment is per function.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const visible = new AsyncLocalStorage<ReadonlySet<string>>();

/** What every function has: the platform's variables, not the application's. */
const PLATFORM = /^(AWS_|POWERTOOLS_|NODE_|LC_|_X_AMZN_|LAMBDA_)|^(PATH|HOME|TZ|LANG|TMPDIR|USER|PWD|SHELL|HOSTNAME)$/;

let installed = false;
let real: NodeJS.ProcessEnv = process.env;
let version = 0;

/** Replaces `process.env` with a view that honours the current invocation's names (once per process). */
export function installFunctionEnv(): void {
  if (installed) return;
  installed = true;
  const env = process.env;
  real = env;
  const allowed = (key: string | symbol): boolean => {
    const names = visible.getStore();
    return !names || typeof key !== 'string' || names.has(key) || PLATFORM.test(key);
  };
  process.env = new Proxy(env, {
    get: (target, key) => (allowed(key) ? Reflect.get(target, key) : undefined),
    // Writes go to the real environment as plain assignments (Node's env takes no partial descriptors).
    set: (target, key, value) => {
      version++;
      return Reflect.set(target, key, value);
    },
    deleteProperty: (target, key) => {
      version++;
      return Reflect.deleteProperty(target, key);
    },
    has: (target, key) => allowed(key) && Reflect.has(target, key),
    ownKeys: (target) => Reflect.ownKeys(target).filter(allowed),
    getOwnPropertyDescriptor: (target, key) => (allowed(key) ? Reflect.getOwnPropertyDescriptor(target, key) : undefined),
  });
}

/** Runs `fn` as an invocation of a function that may read `names` (and the platform's). */
export function withFunctionEnv<T>(names: ReadonlySet<string>, fn: () => T): T {
  return visible.run(names, fn);
}

/**
 * The whole environment (every function's names), and a number that changes whenever a variable is
 * set or deleted: what a thread running functions (lambda-thread.ts) keeps its own copy in step with.
 */
export function environment(): { readonly version: number; values(): Record<string, string> } {
  return { version, values: () => Object.fromEntries(Object.entries(real).filter((e): e is [string, string] => e[1] !== undefined)) };
}
