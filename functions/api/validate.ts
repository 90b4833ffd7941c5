/** zod at the HTTP boundary: the first issue becomes a 400 that names its field. */
import type { Context } from 'hono';
import type { ZodType } from 'zod';
import { ValidationError } from '../shared/errors.js';
import { checkJsonLimits } from './json-limits.js';
import { JSON_LIMITS, type JsonLimits } from './limits.js';

export function parseOrThrow<T>(schema: ZodType<T>, value: unknown, prefix = ''): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  // An unknown field is named itself (body.extra), not the object that holds it.
  const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
  const path = [...issue.path.map(String), ...(unknownKey !== undefined ? [unknownKey.slice(0, 40)] : [])];
  const field = [prefix, ...path].filter(Boolean).join('.') || prefix || 'body';
  const message = unknownKey !== undefined ? 'not a field this accepts' : issue.message;
  throw new ValidationError(`${field}: ${message}`, field);
}

/** The body as JSON, bounded by `limits` (nesting, strings, numbers) before anyone reads it. */
export async function jsonBody(c: Context, limits: JsonLimits = JSON_LIMITS.default): Promise<unknown> {
  const text = await c.req.text();
  if (!text.trim()) throw new ValidationError('body: expected a JSON object, received an empty body', 'body');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ValidationError('body: not valid JSON', 'body');
  }
  checkJsonLimits(value, limits, 'body');
  return value;
}
