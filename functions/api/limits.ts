/**
 * What the HTTP API accepts, declared once. Bodies are bounded while they are read (413 before the
 * rest arrives), parsed JSON is bounded right after parsing (400 naming the field), and only then
 * do the route schemas see it. The workflow input's own per-field cap is in
 * state-machines/input-schema.ts (`DEFAULT_STRING_MAX_LENGTH`).
 */
import { MAX_CONTENT_BYTES } from '../knowledge/validation.js';

/** Request body sizes, in bytes. */
export const BODY_LIMITS = {
  /** Webhooks, decisions, review forms, Slack interactions: a ticket is a few KB. */
  default: 128 * 1024,
  /** Knowledge documents: one document of up to MAX_CONTENT_BYTES (1 MB) plus its JSON escaping. */
  knowledge: 2 * MAX_CONTENT_BYTES,
} as const;

export interface JsonLimits {
  /** Objects and arrays nested deeper than this are refused. */
  readonly maxDepth: number;
  /** Longest string value, in characters. */
  readonly maxStringLength: number;
  /** Longest object key, in characters. */
  readonly maxKeyLength: number;
}

export const JSON_LIMITS = {
  default: { maxDepth: 20, maxStringLength: 100_000, maxKeyLength: 256 },
  knowledge: { maxDepth: 20, maxStringLength: MAX_CONTENT_BYTES, maxKeyLength: 256 },
} as const satisfies Record<string, JsonLimits>;

/**
 * DynamoDB numbers hold 38 significant digits between 1E-130 and 9.9999999999999999999999999999999999999E+125
 * in magnitude; JSON numbers are read as doubles, exact for integers only up to 2^53 - 1.
 */
export const NUMBER_LIMITS = {
  maxMagnitude: 9.9999999999999999999999999999999999999e125,
  minMagnitude: 1e-130,
} as const;
