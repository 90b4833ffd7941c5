/**
 * The price table's shape and how a file becomes one: a `.json` file by `JSON.parse`, any other as
 * YAML. The Lambda bundles ship the table as JSON, converted and validated at bundling
 * (infra/constructs/price-table-asset.ts), so they need no YAML parser (../shared/lazy-yaml.ts).
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { yamlParser } from '../shared/lazy-yaml.js';

const priceSchema = z.object({ input: z.number().min(0), output: z.number().min(0) }).strict();
const modelPrices = z.record(z.string().min(1), priceSchema);
export const priceTableSchema = z.object({ bedrock: modelPrices.optional(), openai: modelPrices.optional() }).strict();
export type PriceTable = z.infer<typeof priceTableSchema>;

/**
 * Reads and validates a price table; throws naming the first bad key.
 * @example readPriceTable('state-machines/prices.yaml').openai?.['gpt-4o-mini'] // { input: 0.00015, output: 0.0006 }
 */
export function readPriceTable(file: string): PriceTable {
  const text = readFileSync(file, 'utf8');
  const parsed = priceTableSchema.safeParse((file.endsWith('.json') ? JSON.parse(text) : yamlParser().parse(text)) ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

