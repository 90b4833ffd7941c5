/**
 * The part of `value` at the given dotted paths, nested as in `value`; paths it lacks stay absent,
 * as a Choice state's `IsPresent` expects. An empty path keeps the whole value. `value` is never
 * modified (picked objects are new, picked leaves are shared).
 *
 * @example pickPaths({ topic: { label: 'billing', flags: { legal: false } }, sentiment: {…} }, ['topic.flags.legal'])
 *   // → { topic: { flags: { legal: false } } }
 */
export function pickPaths(value: unknown, paths: readonly string[]): Record<string, unknown> {
  if (paths.includes('')) return (value !== null && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  // A path inside one already kept whole adds nothing (and must not write into the kept value).
  const kept = [...new Set(paths)].sort().filter((p, i, all) => !all.slice(0, i).some((q) => p.startsWith(`${q}.`)));
  const picked: Record<string, unknown> = {};
  for (const path of kept) {
    const keys = path.split('.');
    let from: unknown = value;
    for (const key of keys) from = from !== null && typeof from === 'object' && Object.hasOwn(from, key) ? (from as Record<string, unknown>)[key] : undefined;
    if (from === undefined) continue;
    let to = picked;
    for (const key of keys.slice(0, -1)) to = (to[key] ??= {}) as Record<string, unknown>;
    to[keys.at(-1)!] = from;
  }
  return picked;
}
