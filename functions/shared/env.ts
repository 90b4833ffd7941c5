/** Typed access to configuration, failing at cold start with a message that says what to set. */
import type * as z from 'zod';
import { ConfigurationError } from './errors.js';
import type { EnvName } from './env-names.js';

export function requireEnv(name: EnvName): string {
  const value = process.env[name];
  if (!value) throw new ConfigurationError(`Environment variable ${name} is not set; the stack (or the local runtime) must set it.`);
  return value;
}

export function optionalEnv(name: EnvName | string, fallback?: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : value;
}

/**
 * A variable holding JSON the stack wrote (e.g. from stages.yaml), parsed and validated.
 * @throws ConfigurationError naming the variable, what it should hold, and the first bad key
 */
export function jsonEnv<S extends z.ZodType>(name: EnvName, schema: S, what: string): z.output<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(requireEnv(name));
  } catch (err) {
    if (err instanceof ConfigurationError) throw err;
    throw new ConfigurationError(`Environment variable ${name} must be JSON: ${what}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ConfigurationError(`Environment variable ${name}: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

export function numberEnv(name: EnvName, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new ConfigurationError(`Environment variable ${name} must be a number; received "${raw}".`);
  return n;
}
