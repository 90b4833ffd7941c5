/**
 * Reads one of the files beside the workflows (the reviewer directory, the knowledge collections):
 * YAML, or JSON when it ends in `.json` (what the Lambda bundles ship), validated with its schema.
 * @throws WorkflowDefinitionError naming the file and each key to fix
 */
import { readFileSync } from 'node:fs';
import type * as z from 'zod';
import { yamlParser } from '../functions/shared/lazy-yaml.js';
import { WorkflowDefinitionError } from './load-workflow.js';

export function readConfigFile<S extends z.ZodType>(file: string, schema: S, what: string): z.output<S> {
  let raw: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    raw = file.endsWith('.json') ? JSON.parse(text) : yamlParser().parse(text);
  } catch (err) {
    throw new WorkflowDefinitionError(file, [`cannot read ${what}: ${(err as Error).message.split('\n')[0]}`]);
  }
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success) throw new WorkflowDefinitionError(file, parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`));
  return parsed.data;
}
