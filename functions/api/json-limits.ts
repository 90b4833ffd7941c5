/**
 * Bounds a parsed JSON body before any schema or store sees it: nesting depth, string and key
 * lengths, and numbers that JSON and DynamoDB cannot both hold exactly. The walk is iterative (an
 * explicit stack), so no input can exhaust the call stack.
 */
import { ValidationError } from '../shared/errors.js';
import { NUMBER_LIMITS, type JsonLimits } from './limits.js';

/** Why a number cannot be stored as given, or undefined when it can. */
export function numberProblem(n: number): string | undefined {
  const magnitude = Math.abs(n);
  if (!Number.isFinite(n) || magnitude > NUMBER_LIMITS.maxMagnitude) return 'a number larger than the store can hold (about 1E+126)';
  if (magnitude !== 0 && magnitude < NUMBER_LIMITS.minMagnitude) return 'a number closer to zero than the store can hold (1E-130)';
  if (Number.isInteger(n) && !Number.isSafeInteger(n)) return `an integer beyond ±${Number.MAX_SAFE_INTEGER}, which cannot be kept exactly; send it as a string`;
  return undefined;
}

const MAX_SHOWN_KEY = 40;

function pathOf(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}.${key}`;
  return `${parent}.${key.length > MAX_SHOWN_KEY ? `${key.slice(0, MAX_SHOWN_KEY)}…` : key}`;
}

/**
 * @throws ValidationError naming the first offending field, e.g. `body.items.3.price`.
 * @example
 * checkJsonLimits(JSON.parse(text), JSON_LIMITS.default, 'body');
 */
export function checkJsonLimits(value: unknown, limits: JsonLimits, root = 'body'): void {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: root, depth: 0 }];
  while (stack.length) {
    const { value: v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      if (v.length > limits.maxStringLength) throw new ValidationError(`${path}: longer than ${limits.maxStringLength} characters`, path);
    } else if (typeof v === 'number') {
      const problem = numberProblem(v);
      if (problem) throw new ValidationError(`${path}: ${problem}`, path);
    } else if (v !== null && typeof v === 'object') {
      if (depth >= limits.maxDepth) throw new ValidationError(`${path}: nested deeper than ${limits.maxDepth} levels`, path);
      if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: pathOf(path, i), depth: depth + 1 });
      } else {
        const entries = Object.entries(v);
        for (let i = entries.length - 1; i >= 0; i--) {
          const [key, child] = entries[i]!;
          if (key.length > limits.maxKeyLength) throw new ValidationError(`${pathOf(path, key)}: a field name longer than ${limits.maxKeyLength} characters`, pathOf(path, key));
          stack.push({ value: child, path: pathOf(path, key), depth: depth + 1 });
        }
      }
    }
  }
}
