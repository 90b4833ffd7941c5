/**
 * The price table (state-machines/prices.yaml, USD per 1K input/output tokens per provider and
 * model) and the cost of one generate step. A model with no price gets cost null and a note that
 * says so, never a guessed number; offline costs 0. A broken price file must not fail runs, so it
 * is logged and every priced model reads as unknown until it is fixed.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENV } from '../shared/env-names.js';
import { logger } from '../shared/logger.js';
import { readPriceTable, type PriceTable } from './price-table.js';

export { priceTableSchema, type PriceTable } from './price-table.js';

export interface StepCost {
  /** USD, rounded to the nano-dollar; null when the model has no price. */
  readonly costUsd: number | null;
  /** The same cost in integer nano-USD, for counters that add many small amounts exactly. */
  readonly costNanoUsd: number | null;
  readonly costNote?: string;
}

/**
 * Where the table is: HANDRAIL_PRICES_FILE (YAML, or JSON when it ends in .json); else prices.json
 * beside the Lambda bundle (state-machines/prices.yaml converted at bundling); else the
 * repository's state-machines/prices.yaml (local runtime, tests).
 */
export function pricesFile(): string {
  const configured = process.env[ENV.pricesFile];
  if (configured) return configured;
  const taskRoot = process.env.LAMBDA_TASK_ROOT;
  if (taskRoot) return join(taskRoot, 'prices.json');
  return fileURLToPath(new URL('../../state-machines/prices.yaml', import.meta.url));
}

type Loaded = { table: PriceTable } | { error: string };
const loaded = new Map<string, Loaded>();

export function loadPriceTable(file = pricesFile()): Loaded {
  let entry = loaded.get(file);
  if (!entry) {
    try {
      if (!existsSync(file)) throw new Error('file not found');
      entry = { table: readPriceTable(file) };
    } catch (err) {
      entry = { error: `price table ${file} is unusable: ${(err as Error).message}` };
      logger.error(entry.error);
    }
    loaded.set(file, entry);
  }
  return entry;
}

/** Drops cached tables (tests that swap the file). */
export function resetPriceTables(): void {
  loaded.clear();
}

/** Bedrock cross-region inference profiles (us.anthropic…) bill as the model they route to. */
const PROFILE_PREFIX = /^(us|eu|apac|us-gov|global)\./;

export function costOf(provider: string, model: string, usage: { inputTokens: number; outputTokens: number }): StepCost {
  if (provider === 'offline') return { costUsd: 0, costNanoUsd: 0 };
  const entry = loadPriceTable();
  if ('error' in entry) return { costUsd: null, costNanoUsd: null, costNote: entry.error };
  const prices = entry.table[provider as keyof PriceTable] ?? {};
  const price = prices[model] ?? prices[model.replace(PROFILE_PREFIX, '')];
  if (!price) return { costUsd: null, costNanoUsd: null, costNote: `no price for ${provider}/${model} in the price table` };
  // Per-1K prices × tokens, in nano-dollars: exact enough per call, and integers add up without drift.
  const nano = Math.round(((usage.inputTokens * price.input + usage.outputTokens * price.output) / 1000) * 1e9);
  return { costUsd: nano / 1e9, costNanoUsd: nano };
}
