/**
 * The alwaysReview evaluator must agree with the Choice rules the compiler emits: each case is
 * checked against the expectation and against the compiled rule run by aws-local-stepfunctions.
 */
import '../../../local/stepfunctions/polyfill.js';
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { conditionHolds, matchingCategory, routeTaken } from '../../../functions/autonomy/conditions.js';
import { compileCondition } from '../../../state-machines/compiler/route.js';
import type { RouteCondition } from '../../../state-machines/schema.js';

const state = {
  run: { runId: 'r', workflowId: 'w', version: 'v' },
  input: { category: 'legal', subject: 'Refund *now*', amount: 1200, vip: true, note: null, zero: 0 },
  steps: { draft: { confidence: 0.42, text: 'Dear customer' } },
};

async function aslSays(condition: RouteCondition, input: unknown): Promise<boolean> {
  const machine = new StateMachine(
    {
      StartAt: 'check',
      States: {
        check: { Type: 'Choice', Choices: [{ ...compileCondition(condition), Next: 'yes' }], Default: 'no' },
        yes: { Type: 'Pass', Result: 'yes', End: true },
        no: { Type: 'Pass', Result: 'no', End: true },
      },
    } as never,
    { validationOptions: { noValidate: true } },
  );
  return (await machine.run(input as never).result) === 'yes';
}

/** [name, condition, expected, the local engine disagrees with AWS here] */
const cases: [string, RouteCondition, boolean][] = [
  ['string equals', { path: 'input.category', equals: 'legal' }, true],
  ['string equals, other value', { path: 'input.category', equals: 'billing' }, false],
  ['string equals a number value', { path: 'input.amount', equals: '1200' }, false],
  ['number equals', { path: 'input.amount', equals: 1200 }, true],
  ['number equals a string value', { path: 'input.category', equals: 5 }, false],
  ['number equals zero', { path: 'input.zero', equals: 0 }, true],
  ['boolean equals', { path: 'input.vip', equals: true }, true],
  ['boolean equals false', { path: 'input.vip', equals: false }, false],
  ['in', { path: 'input.category', in: ['security', 'legal'] }, true],
  ['in, one option', { path: 'input.category', in: ['legal'] }, true],
  ['in, no option matches', { path: 'input.category', in: ['billing', 'security'] }, false],
  ['in on a number', { path: 'input.amount', in: ['1200'] }, false],
  ['in on a missing field', { path: 'input.priority', in: ['urgent'] }, false],
  ['contains', { path: 'input.subject', contains: 'Refund' }, true],
  ['contains a wildcard literally', { path: 'input.subject', contains: '*now*' }, true],
  ['contains, case differs', { path: 'input.subject', contains: 'refund' }, false],
  ['contains on a number', { path: 'input.amount', contains: '12' }, false],
  ['greaterThan', { path: 'input.amount', greaterThan: 1000 }, true],
  ['greaterThan, equal', { path: 'input.amount', greaterThan: 1200 }, false],
  ['greaterThan on a string', { path: 'input.category', greaterThan: 1 }, false],
  ['lessThan on a step output', { path: 'steps.draft.confidence', lessThan: 0.5 }, true],
  ['lessThan, not less', { path: 'steps.draft.confidence', lessThan: 0.42 }, false],
  ['exists', { path: 'input.category', exists: true }, true],
  ['exists on a null value', { path: 'input.note', exists: true }, true],
  // Compiled as `Not IsPresent`, which the local interpreter evaluates as AWS does.
  ['exists false on a missing field', { path: 'input.priority', exists: false }, true],
  ['exists false on a present field', { path: 'input.category', exists: false }, false],
  ['equals on a missing field', { path: 'input.priority', equals: 'urgent' }, false],
  ['missing step', { path: 'steps.other.confidence', lessThan: 1 }, false],
  ['through a null', { path: 'input.note.deep', exists: true }, false],
];

describe('conditionHolds', () => {
  it.each(cases)('%s', async (_name, condition, expected) => {
    expect(conditionHolds(condition, state)).toBe(expected);
    expect(await aslSays(condition, state)).toBe(expected);
  });
});

describe('matchingCategory', () => {
  const categories = [
    { category: 'large_refund', when: [{ path: 'input.amount', greaterThan: 1000 }, { path: 'input.subject', contains: 'Refund' }] },
    { category: 'legal', when: [{ path: 'input.category', equals: 'legal' }] },
  ];
  it('returns the first category whose conditions all hold', () => {
    expect(matchingCategory(categories, state)).toBe('large_refund');
    expect(matchingCategory(categories, { ...state, input: { ...state.input, amount: 10 } })).toBe('legal');
    expect(matchingCategory(categories, { ...state, input: { category: 'billing' } })).toBeUndefined();
    expect(matchingCategory([], state)).toBeUndefined();
  });
});

describe('routeTaken', () => {
  it.each([
    [{}, undefined],
    [{ routes: {} }, undefined],
    [{ routes: { triage: 'routine' } }, { routeStepId: 'triage', pathName: 'routine' }],
    [{ routes: { triage: 'routine', escalate: 'legal' } }, { routeStepId: 'escalate', pathName: 'legal' }],
    [{ routes: { triage: 42 } }, undefined],
  ])('%j → %j', (input, expected) => expect(routeTaken(input)).toEqual(expected));
});
