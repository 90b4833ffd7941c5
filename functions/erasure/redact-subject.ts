/**
 * Finding a person's email address in stored values and putting a marker in its place: the address
 * alone, wherever a string holds it (a field that is only the address, or a sentence that mentions
 * it), in any letter case, never a longer address that merely ends with it (`bob@x.com` does not
 * match inside `jbob@x.com`). The rest of the string, and every other value, is kept.
 *
 * @example redactTree({ to: 'Pat@Example.com', note: 'cc pat@example.com.' }, subjectPattern('pat@example.com'), '', changed)
 * // { to: '[erased]', note: 'cc [erased].' }, changed = ['/to', '/note']
 */
import { pointerStep } from '../shared/json-pointer.js';

/** What stands where the address was. */
export const ERASED = '[erased]';

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The address as a whole word of an address: no address character before it, none after but a final dot. */
export function subjectPattern(email: string): RegExp {
  return new RegExp(`(?<![A-Za-z0-9._%+-])${escape(email.trim())}(?![A-Za-z0-9_%+-]|\\.[A-Za-z0-9])`, 'gi');
}

/** The value with the address replaced in every string it holds; the JSON Pointer of each string changed is pushed to `changed`. */
export function redactTree(value: unknown, pattern: RegExp, pointer: string, changed: string[]): unknown {
  if (typeof value === 'string') {
    const redacted = value.replace(pattern, ERASED);
    if (redacted !== value) changed.push(pointer);
    return redacted;
  }
  if (Array.isArray(value)) return value.map((v, i) => redactTree(v, pattern, `${pointer}/${i}`, changed));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactTree(v, pattern, `${pointer}/${pointerStep(k)}`, changed)]));
  return value;
}
