/**
 * Totals as the API shows them: tokens and USD, with a note whenever some step's model had no
 * price (costUsd then covers the priced steps only, and says so rather than implying a full sum).
 */
import type { UsageRow } from './counters.js';

export interface UsageTotals {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
  readonly steps: number;
  readonly unpricedSteps: number;
  readonly costNote?: string;
}

function note(unpriced: number): string | undefined {
  return unpriced > 0 ? `${unpriced} generate step(s) used a model with no price in the price table; costUsd leaves them out` : undefined;
}

function finish(t: { inputTokens: number; outputTokens: number; costNano: number; steps: number; unpricedSteps: number }): UsageTotals {
  const costNote = note(t.unpricedSteps);
  return {
    inputTokens: t.inputTokens,
    outputTokens: t.outputTokens,
    costUsd: t.costNano / 1e9,
    steps: t.steps,
    unpricedSteps: t.unpricedSteps,
    ...(costNote ? { costNote } : {}),
  };
}

export function sumRows(rows: readonly UsageRow[]): UsageTotals {
  const t = { inputTokens: 0, outputTokens: 0, costNano: 0, steps: 0, unpricedSteps: 0 };
  for (const r of rows) {
    t.inputTokens += r.inputTokens;
    t.outputTokens += r.outputTokens;
    t.costNano += Math.round(r.costUsd * 1e9);
    t.steps += r.steps;
    t.unpricedSteps += r.unpricedSteps;
  }
  return finish(t);
}

interface StepUsage {
  readonly usage?: { inputTokens: number; outputTokens: number };
  readonly costUsd?: number | null;
}

/** A run's totals from its step records (each generate step records its usage and cost). */
export function runUsage(steps: readonly StepUsage[]): UsageTotals {
  const t = { inputTokens: 0, outputTokens: 0, costNano: 0, steps: 0, unpricedSteps: 0 };
  for (const s of steps) {
    if (!s.usage) continue;
    t.inputTokens += s.usage.inputTokens;
    t.outputTokens += s.usage.outputTokens;
    t.steps += 1;
    // A record without costUsd predates pricing: unpriced, not free.
    if (typeof s.costUsd === 'number') t.costNano += Math.round(s.costUsd * 1e9);
    else t.unpricedSteps += 1;
  }
  return finish(t);
}
