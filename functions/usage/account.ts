/**
 * What a generate step spent, priced and counted: the cost goes on the step record (the run's
 * totals are summed from those), and one ADD goes to the workflow's counter for the day. The
 * counter is bookkeeping: if it cannot be updated the step still succeeds, and the error is logged
 * (the step record keeps the exact figures).
 */
import { ENV } from '../shared/env-names.js';
import { logger } from '../shared/logger.js';
import { addUsage } from './counters.js';
import { costOf, type StepCost } from './prices.js';

export interface Spent {
  readonly provider: string;
  readonly model: string;
  readonly usage: { inputTokens: number; outputTokens: number };
}

/** YYYY-MM-DD in UTC: counters roll over at midnight UTC whatever the region. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

export function priceStep(spent: Spent): StepCost {
  return costOf(spent.provider, spent.model, spent.usage);
}

/** `fellBack`: a later model of the step's chain than the first answered. */
export async function countUsage(workflowId: string, at: Date, spent: Spent, cost: StepCost, fellBack = false): Promise<void> {
  if (!process.env[ENV.gatewayTable]) {
    logger.warn(`usage not counted: ${ENV.gatewayTable} is not set`);
    return;
  }
  try {
    await addUsage({ workflowId, day: utcDay(at), inputTokens: spent.usage.inputTokens, outputTokens: spent.usage.outputTokens, costNanoUsd: cost.costNanoUsd, model: `${spent.provider}/${spent.model}`, fellBack });
  } catch (err) {
    logger.error('usage counter update failed; the step record keeps the figures', { workflowId, error: err as Error });
  }
}
