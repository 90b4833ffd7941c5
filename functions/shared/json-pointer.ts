/** JSON Pointers (RFC 6901): `/details/reviewers/0` names the first reviewer of `details`. */

/** One step of a pointer: `~` and `/` escaped, so `/details/a~1b` names the key `a/b`. */
export const pointerStep = (key: string | number): string => String(key).replace(/~/g, '~0').replace(/\//g, '~1');

/** The keys (or indexes, as text) a pointer steps through. */
export const pointerSteps = (pointer: string): string[] => pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));

/** The value a pointer names in `root` (undefined when there is none). */
export function valueAt(root: unknown, pointer: string): unknown {
  return pointerSteps(pointer).reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), root);
}
