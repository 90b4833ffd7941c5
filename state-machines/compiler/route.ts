/**
 * `route` steps compile to a Choice state: paths in order, first match wins, the default last.
 * Every comparison is guarded by a presence and type test, because on AWS a Choice rule that
 * reads a missing path fails the whole execution instead of simply not matching.
 */
import type { RouteCondition, StepOf } from '../schema.js';
import type { ChoiceState, JsonObject, State } from './asl-types.js';

function escapeWildcard(text: string): string {
  return text.replace(/[\\*]/g, (c) => `\\${c}`);
}

export function compileCondition(c: RouteCondition): JsonObject {
  const Variable = `$.${c.path}`;
  const present = { Variable, IsPresent: true };
  // `Not IsPresent` rather than `IsPresent: false`: the same on AWS, and the local interpreter
  // (aws-local-stepfunctions 3.0) mis-evaluates `IsPresent: false`.
  if (c.exists !== undefined) return c.exists ? { Variable, IsPresent: true } : { Not: { Variable, IsPresent: true } };
  if (c.contains !== undefined) {
    return { And: [present, { Variable, IsString: true }, { Variable, StringMatches: `*${escapeWildcard(c.contains)}*` }] };
  }
  if (c.in !== undefined) {
    const options = c.in.map((v) => ({ Variable, StringEquals: v }));
    return { And: [present, { Variable, IsString: true }, options.length === 1 ? options[0]! : { Or: options }] };
  }
  if (c.greaterThan !== undefined) {
    return { And: [present, { Variable, IsNumeric: true }, { Variable, NumericGreaterThan: c.greaterThan }] };
  }
  if (c.lessThan !== undefined) {
    return { And: [present, { Variable, IsNumeric: true }, { Variable, NumericLessThan: c.lessThan }] };
  }
  const value = c.equals;
  if (typeof value === 'number') return { And: [present, { Variable, IsNumeric: true }, { Variable, NumericEquals: value }] };
  if (typeof value === 'boolean') return { And: [present, { Variable, IsBoolean: true }, { Variable, BooleanEquals: value }] };
  return { And: [present, { Variable, IsString: true }, { Variable, StringEquals: String(value) }] };
}

export function routePathStateName(stepId: string, pathName: string): string {
  return `${stepId}__${pathName.replace(/-/g, '_')}`;
}

/**
 * The Choice state, plus one Pass state per path that records the path taken at
 * `$.routes.<stepId>` (the run record and graduated autonomy read it), then goes on.
 */
export function compileRoute(step: StepOf<'route'>): Record<string, State> {
  const conditional = step.paths.filter((p) => p.when);
  const fallback = step.paths.find((p) => p.default);
  if (!fallback) throw new Error(`route ${step.id} has no default path`);
  const choice: ChoiceState = {
    Type: 'Choice',
    Comment: `route ${step.id}: ${step.paths.map((p) => p.name).join(' → ')}`,
    Choices: conditional.map((p) => {
      const rules = (p.when ?? []).map(compileCondition);
      return { ...(rules.length === 1 ? rules[0] : { And: rules }), Next: routePathStateName(step.id, p.name) };
    }),
    Default: routePathStateName(step.id, fallback.name),
  };
  const states: Record<string, State> = { [step.id]: choice };
  for (const p of step.paths) {
    states[routePathStateName(step.id, p.name)] = {
      Type: 'Pass',
      Comment: `route ${step.id} took path ${p.name}`,
      Result: p.name,
      ResultPath: `$.routes.${step.id}`,
      Next: p.next,
    };
  }
  return states;
}
