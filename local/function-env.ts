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

interface FunctionScope {
  readonly names: ReadonlySet<string>;
  /** Values of this function's own where functions disagree (e.g. each retrieve function's readable collections). */
  readonly values?: Readonly<Record<string, string>>;
}

const visible = new AsyncLocalStorage<FunctionScope>();

/** What every function has: the platform's variables, not the application's. */
const PLATFORM = /^(AWS_|POWERTOOLS_|NODE_|LC_|_X_AMZN_|LAMBDA_)|^(PATH|HOME|TZ|LANG|TMPDIR|USER|PWD|SHELL|HOSTNAME)$/;

let installed = false;

/** Replaces `process.env` with a view that honours the current invocation's names (once per process). */
export function installFunctionEnv(): void {
  if (installed) return;
  installed = true;
  const env = process.env;
  const allowed = (key: string | symbol): boolean => {
    const names = visible.getStore()?.names;
    return !names || typeof key !== 'string' || names.has(key) || PLATFORM.test(key);
  };
  const own = (key: string | symbol): string | undefined => {
    const values = visible.getStore()?.values;
    return values && typeof key === 'string' && Object.hasOwn(values, key) ? values[key] : undefined;
  };
  process.env = new Proxy(env, {
    get: (target, key) => (allowed(key) ? (own(key) ?? Reflect.get(target, key)) : undefined),
    // Writes go to the real environment as plain assignments (Node's env takes no partial descriptors).
    set: (target, key, value) => Reflect.set(target, key, value),
    has: (target, key) => allowed(key) && (own(key) !== undefined || Reflect.has(target, key)),
    ownKeys: (target) => Reflect.ownKeys(target).filter(allowed),
    getOwnPropertyDescriptor: (target, key) => {
      if (!allowed(key)) return undefined;
      const value = own(key);
      return value !== undefined ? { value, writable: true, enumerable: true, configurable: true } : Reflect.getOwnPropertyDescriptor(target, key);
    },
  });
}

/**
 * Runs `fn` as an invocation of a function that may read `names` (and the platform's); `values`
 * are its own values of names whose value differs between functions (the process holds one).
 */
export function withFunctionEnv<T>(names: ReadonlySet<string>, fn: () => T, values?: Readonly<Record<string, string>>): T {
  return visible.run({ names, ...(values ? { values } : {}) }, fn);
}
