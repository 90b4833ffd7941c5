/**
 * aws-local-stepfunctions v3 targets Node 22 and calls `Promise.withResolvers` (Node >= 22) in its
 * Task state timeout. Handrail supports Node 20, so install an equivalent before the library runs.
 * Import this module before `aws-local-stepfunctions` (ESM evaluates imports in order).
 */
interface Resolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

const promiseCtor = Promise as unknown as { withResolvers?: <T>() => Resolvers<T> };

if (typeof promiseCtor.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>(this: PromiseConstructor): Resolvers<T> {
      let resolve!: Resolvers<T>['resolve'];
      let reject!: Resolvers<T>['reject'];
      // `this` keeps subclass semantics, as the native implementation does.
      const promise = new this<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

export {};
