import { describe, expect, it } from 'vitest';
import { checkJsonLimits, numberProblem } from '../../../functions/api/json-limits.js';
import { JSON_LIMITS } from '../../../functions/api/limits.js';

const nested = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
};

describe('checkJsonLimits', () => {
  it.each([
    ['nesting one level too deep', { ticket: nested(20) }, 'body.ticket.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a', /nested deeper than 20 levels/],
    ['an unsafe integer', { ticketId: 9007199254740993 }, 'body.ticketId', /integer beyond/],
    ['a magnitude DynamoDB cannot hold', { amount: 1e308 }, 'body.amount', /larger than the store can hold/],
    ['a number too close to zero', { items: [1, 2, 1e-131] }, 'body.items.2', /closer to zero/],
    ['a non-finite number', { x: Number.POSITIVE_INFINITY }, 'body.x', /larger than the store can hold/],
    ['a string past the cap', { body: 'x'.repeat(100_001) }, 'body.body', /longer than 100000 characters/],
    ['a field name past the cap', { ['k'.repeat(300)]: 1 }, `body.${'k'.repeat(40)}…`, /field name longer than 256/],
  ])('refuses %s, naming the field', (_case, value, field, message) => {
    // Prepare / Act
    const act = () => checkJsonLimits(value, JSON_LIMITS.default, 'body');
    // Assess
    expect(act).toThrow(message);
    try {
      act();
    } catch (err) {
      expect((err as { field?: string }).field).toBe(field);
      expect((err as Error).message.startsWith(`${field}: `)).toBe(true);
    }
  });

  it('accepts what JSON and DynamoDB both hold: safe integers, decimals, 20 levels', () => {
    expect(() => checkJsonLimits({ a: Number.MAX_SAFE_INTEGER, b: -0.000001, c: 1e15, d: 0, e: nested(19), f: 'x'.repeat(100_000) }, JSON_LIMITS.default)).not.toThrow();
  });

  it('walks 100,000 levels of nesting without recursion (no stack overflow)', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(() => checkJsonLimits(deep, JSON_LIMITS.default)).toThrow(/nested deeper than 20 levels/);
  });

  it('reports the first offending field in document order', () => {
    expect(() => checkJsonLimits({ a: [1, 2, { b: 1e300 }], c: 1e300 }, JSON_LIMITS.default)).toThrow(/^body\.a\.2\.b: /);
  });
});

describe('numberProblem', () => {
  it.each([[0], [-0], [1.5], [-9007199254740991], [1.5e-7], [1e-130]])('accepts %s', (n) => expect(numberProblem(n)).toBeUndefined());
  // Every double from 2^53 up is an integer, so the DynamoDB ceiling (about 1E+126) only names the reason.
  it.each([[9007199254740992], [-1e20], [9.9e125], [1e126], [1e-131], [Number.NaN]])('refuses %s', (n) => expect(numberProblem(n)).toBeDefined());
});
