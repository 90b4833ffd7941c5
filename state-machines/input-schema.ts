/** Turns a workflow's declared `input` fields into the zod schema webhook bodies must satisfy. */
import { z, type ZodType } from 'zod';
import type { InputField, Workflow } from './schema.js';

function fieldSchema(field: InputField): ZodType {
  if (field.type === 'number') return z.number();
  if (field.type === 'boolean') return z.boolean();
  if (field.enum) return z.enum(field.enum as [string, ...string[]]);
  let s = z.string();
  if (field.maxLength) s = s.max(field.maxLength);
  if (field.format === 'email') return s.email();
  if (field.format === 'url') return s.url();
  return s;
}

export function inputSchemaFor(workflow: Workflow): z.ZodObject {
  const shape: Record<string, ZodType> = {};
  for (const [name, field] of Object.entries(workflow.input)) {
    const schema = fieldSchema(field);
    shape[name] = field.required ? schema : schema.optional();
  }
  // Unknown fields are kept (SaaS payloads carry extra data) but never trusted by routing.
  return z.object(shape).passthrough();
}
