/**
 * Each function sees only its own environment, locally as on AWS: inside an invocation, `process.env`
 * answers only the names its template function declares (plus the runtime's own: AWS_*, Node's,
 * Powertools', and the local stand-ins for what is a secret on AWS). A handler that reads a variable
 * its function does not have gets undefined here exactly as it would on Lambda, even though every
 * function shares this process. Outside invocations (the runtime itself) nothing is hidden.
 *
 * Module state is still shared between functions in one process (e.g. a cached secret); only the
 * environment is per function, values included where two functions give one name different values.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** What the current invocation may read, and the values its own function gives names that another function gives otherwise. */
const visible = new AsyncLocalStorage<{ readonly names: ReadonlySet<string>; readonly own: Readonly<Record<string, string>> }>();

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
    const names = visible.getStore()?.names;
    return !names || typeof key !== 'string' || names.has(key) || PLATFORM.test(key);
  };
  const ownValue = (key: string | symbol) => {
    const own = visible.getStore()?.own;
    return typeof key === 'string' && own && Object.hasOwn(own, key) ? own[key] : undefined;
  };
  process.env = new Proxy(env, {
    get: (target, key) => (allowed(key) ? (ownValue(key) ?? Reflect.get(target, key)) : undefined),
    // Writes go to the real environment as plain assignments (Node's env takes no partial descriptors).
    set: (target, key, value) => {
      version++;
      return Reflect.set(target, key, value);
    },
    deleteProperty: (target, key) => {
      version++;
      return Reflect.deleteProperty(target, key);
    },
    // `in`, Object.keys and descriptors agree with `get`: a function's own values are its variables too.
    has: (target, key) => allowed(key) && (ownValue(key) !== undefined || Reflect.has(target, key)),
    ownKeys: (target) => [...new Set([...Reflect.ownKeys(target), ...Object.keys(visible.getStore()?.own ?? {})])].filter(allowed),
    getOwnPropertyDescriptor: (target, key) => {
      if (!allowed(key)) return undefined;
      const own = ownValue(key);
      return own !== undefined ? { value: own, writable: true, enumerable: true, configurable: true } : Reflect.getOwnPropertyDescriptor(target, key);
    },
  });
}

/**
 * Runs `fn` as an invocation of a function that may read `names` (and the platform's); `own` are the
 * values its template gives names that other functions give other values (e.g. each workflow's
 * retrieve function its own HANDRAIL_READABLE_COLLECTIONS), which the shared environment cannot hold.
 */
export function withFunctionEnv<T>(names: ReadonlySet<string>, fn: () => T, own: Readonly<Record<string, string>> = {}): T {
  return visible.run({ names, own }, fn);
}

/**
 * The whole environment (every function's names), and a number that changes whenever a variable is
 * set or deleted: what a thread running functions (lambda-thread.ts) keeps its own copy in step with.
 */
export function environment(): { readonly version: number; values(): Record<string, string> } {
  return { version, values: () => Object.fromEntries(Object.entries(real).filter((e): e is [string, string] => e[1] !== undefined)) };
}
