/**
 * Reviewer references: a user id, or `group:<name>` for every member of a group of the reviewer
 * directory (a release carries the groups it was built with, resolved).
 */
export const GROUP_PREFIX = 'group:';

/** `refs` with each group replaced by its members in `groups`, order kept, duplicates dropped; a group `groups` lacks stays as written. */
export function membersOf(refs: readonly string[], groups: Readonly<Record<string, readonly string[]>>): string[] {
  return [...new Set(refs.flatMap((r) => (r.startsWith(GROUP_PREFIX) ? (groups[r.slice(GROUP_PREFIX.length)] ?? [r]) : [r])))];
}
