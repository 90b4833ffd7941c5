/**
 * Evaluates route conditions against a run's state with the semantics of the Choice rules the
 * compiler emits (state-machines/compiler/route.ts): a missing path never matches (except
 * `exists: false`), and every comparison first checks the value's type, as IsString / IsNumeric /
 * IsBoolean guard the ASL comparisons. Pure: the approval handler uses it to enforce the
 * workflow's alwaysReview categories without another state.
 */
import type { RouteCondition } from '../../state-machines/schema.js';

/** Looks `input.a.b` / `steps.x.y` up in the state; `present` is JSONPath's IsPresent. */
export function lookup(state: unknown, path: string): { present: boolean; value?: unknown } {
  let current: unknown = state;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return { present: false };
    current = (current as Record<string, unknown>)[key];
  }
  return { present: true, value: current };
}

export function conditionHolds(condition: RouteCondition, state: unknown): boolean {
  const { present, value } = lookup(state, condition.path);
  if (condition.exists !== undefined) return present === condition.exists;
  if (!present) return false;
  if (condition.contains !== undefined) return typeof value === 'string' && value.includes(condition.contains);
  if (condition.in !== undefined) return typeof value === 'string' && condition.in.includes(value);
  if (condition.greaterThan !== undefined) return typeof value === 'number' && value > condition.greaterThan;
  if (condition.lessThan !== undefined) return typeof value === 'number' && value < condition.lessThan;
  const expected = condition.equals;
  if (typeof expected === 'number') return typeof value === 'number' && value === expected;
  if (typeof expected === 'boolean') return typeof value === 'boolean' && value === expected;
  return typeof value === 'string' && value === String(expected);
}

/** All conditions hold (a path's or category's `when` is a conjunction, as in the Choice state). */
export function allHold(conditions: readonly RouteCondition[], state: unknown): boolean {
  return conditions.every((c) => conditionHolds(c, state));
}

/** The first alwaysReview category the run is in, if any. */
export function matchingCategory(categories: readonly { category: string; when: RouteCondition[] }[], state: unknown): string | undefined {
  return categories.find((c) => allHold(c.when, state))?.category;
}

/**
 * The route path the run came through: the last entry of `state.routes` (the compiled Pass states
 * add one key per route step taken, and JSON objects keep insertion order).
 */
export function routeTaken(state: { routes?: unknown }): { routeStepId: string; pathName: string } | undefined {
  const routes = state.routes;
  if (!routes || typeof routes !== 'object') return undefined;
  const last = Object.entries(routes as Record<string, unknown>).at(-1);
  return last && typeof last[1] === 'string' ? { routeStepId: last[0], pathName: last[1] } : undefined;
}
