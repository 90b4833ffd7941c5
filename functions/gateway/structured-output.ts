/**
 * Structured output: a reply is parsed as JSON and validated against an output schema, given
 * either as JSON Schema (a workflow's `outputSchema`, converted with zod's fromJSONSchema, the same
 * converter that checked it when the workflow loaded) or as a zod schema in code (e.g. the
 * classifiers'; shown to the model as JSON Schema via z.toJSONSchema). What fails is described in
 * short lines a model can act on in its one repair attempt.
 */
import * as z from 'zod';
import { HandrailError } from '../shared/errors.js';
import type { JsonSchema, ModelAttempt } from './types.js';

/** A model's output failed a quality check the workflow declared; retrying the step will not fix it. */
export class QualityFailure extends HandrailError {}

/**
 * The reply still did not match the step's outputSchema after one repair. Named so Step Functions
 * can Catch it; carries what the record needs (errors, attempts, the tokens that were spent).
 */
export class StructuredOutputInvalid extends QualityFailure {
  constructor(
    message: string,
    readonly validationErrors: string[],
    readonly attempts: ModelAttempt[],
    readonly spent?: { provider: string; model: string; usage: { inputTokens: number; outputTokens: number } },
  ) {
    super(message);
  }
}

export type Checked = { ok: true; value: Record<string, unknown> } | { ok: false; errors: string[] };

const MAX_ERRORS = 10;
/** Schemas by their JSON text: converting is far slower than validating, and a warm Lambda sees the same few. */
const validators = new Map<string, z.ZodType>();
const jsonSchemas = new WeakMap<z.ZodType, JsonSchema>();

/** An output schema: JSON Schema from a workflow file, or a zod schema declared in code. */
export type OutputSchema = JsonSchema | z.ZodType;

function validatorFor(schema: OutputSchema): z.ZodType {
  if (schema instanceof z.ZodType) return schema;
  const key = JSON.stringify(schema);
  let validator = validators.get(key);
  if (!validator) {
    // A private registry: the global one would keep every schema's metadata for the life of the process.
    validator = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0], { registry: z.registry() });
    validators.set(key, validator);
  }
  return validator;
}

/** The JSON Schema a model is shown (and the offline provider fills in). */
export function jsonSchemaOf(schema: OutputSchema): JsonSchema {
  if (!(schema instanceof z.ZodType)) return schema;
  let json = jsonSchemas.get(schema);
  if (!json) {
    const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input' }) as JsonSchema;
    jsonSchemas.set(schema, (json = rest));
  }
  return json;
}

/** The JSON inside a reply: models often wrap it in ```json fences or a sentence of prose. */
export function extractJson(text: string): string {
  const fenced = /```(?:json|JSON)?\s*\n?([\s\S]*?)```/.exec(text);
  const body = (fenced?.[1] ?? text).trim();
  if (body.startsWith('{')) return body;
  const start = body.indexOf('{');
  const end = body.lastIndexOf('}');
  return start >= 0 && end > start ? body.slice(start, end + 1) : body;
}

export function checkStructured(text: string, schema: OutputSchema): Checked {
  let parsed: unknown;
  try {
    parsed = JSON.parse(extractJson(text));
  } catch (err) {
    return { ok: false, errors: [`the reply is not valid JSON (${(err as Error).message})`] };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { ok: false, errors: ['the reply must be a JSON object'] };
  }
  const result = validatorFor(schema).safeParse(parsed);
  if (result.success) return { ok: true, value: result.data as Record<string, unknown> };
  const errors = result.error.issues.slice(0, MAX_ERRORS).map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  return { ok: false, errors };
}

/** Added to the step's system text: what shape to answer in. */
export function schemaInstruction(schema: OutputSchema): string {
  return [
    'Reply with only a JSON object (no prose, no code fences) that matches this JSON Schema:',
    JSON.stringify(jsonSchemaOf(schema)),
  ].join('\n');
}

/** The repair turn: the validation errors, and the same request for JSON only. */
export function correctionText(errors: readonly string[]): string {
  return [
    'Your reply did not match the required JSON Schema:',
    ...errors.map((e) => `- ${e}`),
    'Reply again with only the corrected JSON object.',
  ].join('\n');
}
