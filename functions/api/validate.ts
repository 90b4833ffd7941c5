/** zod at the HTTP boundary: the first issue becomes a 400 that names its field. */
import type { Context } from 'hono';
import type { ZodType } from 'zod';
import { ValidationError } from '../shared/errors.js';

export function parseOrThrow<T>(schema: ZodType<T>, value: unknown, prefix = ''): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || prefix || 'body';
  throw new ValidationError(`${field}: ${issue.message}`, field);
}

export async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (!text.trim()) throw new ValidationError('body: expected a JSON object, received an empty body', 'body');
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError('body: not valid JSON', 'body');
  }
}
