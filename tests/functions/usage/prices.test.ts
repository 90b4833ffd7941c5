/** The price table: the shipped file parses, costs follow the table exactly, unknown models say so. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { readPriceTable } from '../../../functions/usage/price-table.js';
import { costOf, loadPriceTable, pricesFile, resetPriceTables } from '../../../functions/usage/prices.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/prices.yaml', import.meta.url));
const saved = { ...process.env };

afterEach(() => {
  process.env = { ...saved };
  resetPriceTables();
});

describe('price table', () => {
  it('ships a valid state-machines/prices.yaml, used by default outside Lambda', () => {
    delete process.env.HANDRAIL_PRICES_FILE;
    delete process.env.LAMBDA_TASK_ROOT;
    expect(pricesFile()).toMatch(/state-machines\/prices\.yaml$/);
    const loaded = loadPriceTable();
    expect('table' in loaded && loaded.table.openai?.['gpt-4o-mini']).toEqual({ input: 0.00015, output: 0.0006 });
  });

  it('reads prices.json beside the bundle on Lambda, and HANDRAIL_PRICES_FILE wins over both', () => {
    process.env.LAMBDA_TASK_ROOT = '/var/task';
    expect(pricesFile()).toBe('/var/task/prices.json');
    process.env.HANDRAIL_PRICES_FILE = FIXTURE;
    expect(pricesFile()).toBe(FIXTURE);
  });

  it('prices a step from the table, per 1K input and output tokens', () => {
    process.env.HANDRAIL_PRICES_FILE = FIXTURE;
    expect(costOf('bedrock', 'anthropic.claude-test', { inputTokens: 1500, outputTokens: 250 })).toEqual({ costUsd: 2, costNanoUsd: 2_000_000_000 });
    expect(costOf('openai', 'gpt-test', { inputTokens: 13, outputTokens: 9 })).toEqual({ costUsd: 0.02, costNanoUsd: 20_000_000 });
    // Cross-region inference profiles bill as their model.
    expect(costOf('bedrock', 'us.anthropic.claude-test', { inputTokens: 1000, outputTokens: 0 }).costUsd).toBe(1);
  });

  it('reads a .json table without the YAML parser, priced the same as its YAML', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prices-'));
    const json = join(dir, 'prices.json');
    writeFileSync(json, JSON.stringify(readPriceTable(FIXTURE)));
    process.env.HANDRAIL_PRICES_FILE = json;
    expect(costOf('bedrock', 'anthropic.claude-test', { inputTokens: 1500, outputTokens: 250 })).toEqual({ costUsd: 2, costNanoUsd: 2_000_000_000 });
    writeFileSync(json, '{"openai": {"gpt-test": {"input": 1}}}');
    resetPriceTables();
    expect(costOf('openai', 'gpt-test', { inputTokens: 1, outputTokens: 1 }).costNote).toContain('openai.gpt-test.output');
  });

  it('costs offline nothing, and an unknown model null with a note', () => {
    process.env.HANDRAIL_PRICES_FILE = FIXTURE;
    expect(costOf('offline', 'offline-extractive-v1', { inputTokens: 500, outputTokens: 80 })).toEqual({ costUsd: 0, costNanoUsd: 0 });
    expect(costOf('openai', 'gpt-unknown', { inputTokens: 1, outputTokens: 1 })).toEqual({
      costUsd: null,
      costNanoUsd: null,
      costNote: 'no price for openai/gpt-unknown in the price table',
    });
  });

  it('turns a broken or missing file into unknown costs that say why, instead of failing the step', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prices-'));
    const broken = join(dir, 'prices.yaml');
    writeFileSync(broken, 'openai:\n  gpt-test: { input: -1, output: 2 }\n');
    process.env.HANDRAIL_PRICES_FILE = broken;
    const cost = costOf('openai', 'gpt-test', { inputTokens: 1, outputTokens: 1 });
    expect(cost.costUsd).toBeNull();
    expect(cost.costNote).toContain('openai.gpt-test.input');
    process.env.HANDRAIL_PRICES_FILE = join(dir, 'missing.yaml');
    expect(costOf('openai', 'gpt-test', { inputTokens: 1, outputTokens: 1 }).costNote).toContain('file not found');
  });
});
