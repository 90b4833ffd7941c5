/** Turns a workflow's declared `input` fields into the zod schema webhook bodies must satisfy. */
import * as z from 'zod';
import type { ZodType } from 'zod';
import type { InputField, Workflow } from './schema.js';

/**
 * The cap on a string field that declares no `maxLength`, so that no one field can fill the run's
 * Step Functions state (256 KB) or its DynamoDB item (400 KB).
 */
export const DEFAULT_STRING_MAX_LENGTH = 20_000;

function fieldSchema(field: InputField): ZodType {
  if (field.type === 'number') return z.number();
  if (field.type === 'boolean') return z.boolean();
  if (field.enum) return z.enum(field.enum as [string, ...string[]]);
  const s = z.string().max(field.maxLength ?? DEFAULT_STRING_MAX_LENGTH);
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
  // Fields the workflow does not declare are refused or dropped (`additionalFields`), never kept.
  const object = z.object(shape);
  return workflow.additionalFields === 'drop' ? object.strip() : object.strict();
}
