/**
 * The price table a model-calling function ships with: state-machines/prices.yaml, validated and
 * written as prices.json beside index.mjs (functions/usage/prices.ts reads it there), so the bundle
 * needs no YAML parser. A broken table fails the synth, naming the key, instead of pricing every
 * call as unknown once deployed.
 */
import { join } from 'node:path';
import { readPriceTable } from '../../functions/usage/price-table.js';
import { projectRoot } from '../project-root.js';

export const PRICE_TABLE_SOURCE = 'state-machines/prices.yaml';
/** The file name in the asset; functions/usage/prices.ts looks for it under LAMBDA_TASK_ROOT. */
export const BUNDLED_PRICE_TABLE = 'prices.json';

/**
 * The `afterBundling` command that writes the table as JSON into `outputDir`. The table is read
 * here, on the synthesizing machine, and the command carries it, so it runs the same in Docker
 * bundling, where only the container's paths exist.
 */
export function writePriceTableCommand(outputDir: string, source = join(projectRoot, PRICE_TABLE_SOURCE)): string {
  let json: string;
  try {
    json = JSON.stringify(readPriceTable(source));
  } catch (err) {
    throw new Error(`${source}: ${(err as Error).message}; fix the price table (USD per 1K tokens, e.g. gpt-4o: { input: 0.0025, output: 0.01 })`, { cause: err });
  }
  return `printf '%s\\n' ${shellQuote(json)} > "${outputDir}/${BUNDLED_PRICE_TABLE}"`;
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
