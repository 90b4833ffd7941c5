/** Typed access to configuration, failing at cold start with a message that says what to set. */
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

export function numberEnv(name: EnvName, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new ConfigurationError(`Environment variable ${name} must be a number; received "${raw}".`);
  return n;
}
