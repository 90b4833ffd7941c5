/**
 * The pure arithmetic of graduated autonomy: figures from a window of human decisions, whether a
 * rule is met, the per-run spot-check draw, and the verdict for one request. No I/O, so every
 * branch is tested directly (tests/functions/autonomy/figures.test.ts).
 */
import { createHash } from 'node:crypto';
import type { AutonomyRule } from '../../state-machines/schema.js';
import type { AutonomyFigures, AutonomyStatus, DecisionEntry, PathStatus } from './types.js';

export function median(values: readonly number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function histogram(codes: (string | undefined)[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const code of codes) counts[code ?? 'unspecified'] = (counts[code ?? 'unspecified'] ?? 0) + 1;
  return counts;
}

/** Figures over the last `window` entries (entries are oldest first, as appended). */
export function computeFigures(entries: readonly DecisionEntry[], window: number): AutonomyFigures {
  const recent = entries.slice(-window);
  const n = recent.length;
  const count = (action: DecisionEntry['action']) => recent.filter((e) => e.action === action).length;
  const approved = count('approve');
  const edited = count('edit');
  return {
    decisions: n,
    window,
    approvalRate: n ? (approved + edited) / n : null,
    uneditedApprovalRate: n ? approved / n : null,
    rejectionReasons: histogram(recent.filter((e) => e.action === 'reject').map((e) => e.reasonCode)),
    editReasons: histogram(recent.filter((e) => e.action === 'edit').map((e) => e.reasonCode)),
    medianDecisionMs: median(recent.map((e) => e.ms)),
  };
}

/**
 * Enough decisions in the window, and unedited approvals at or above the bar. Rates are single
 * divisions compared with the rule's literal, so 4/5 meets 0.8 exactly (no epsilon needed).
 */
export function ruleMet(rule: AutonomyRule, figures: AutonomyFigures): boolean {
  return figures.decisions >= rule.minDecisions && (figures.uneditedApprovalRate ?? 0) >= rule.minUneditedApprovalRate;
}

/**
 * A run's draw in [0, 1), from a hash of the path and run id: deterministic, so a retried
 * invocation draws the same, and uniform enough that `draw < spotCheckRate` selects that share.
 */
export function spotCheckDraw(runId: string, routeKey: string): number {
  const digest = createHash('sha256').update(`${routeKey}\n${runId}`).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

export interface VerdictInput {
  readonly rule: AutonomyRule;
  readonly figures: AutonomyFigures;
  /** Has the rule been met at some human decision (so a miss now is a suspension, not learning)? */
  readonly everEngaged: boolean;
  readonly draw: number;
  /** The alwaysReview category the run matched, if any. */
  readonly category?: string;
}

export interface Verdict {
  readonly autoApprove: boolean;
  readonly status: AutonomyStatus;
}

/** The decision for one first-level request; re-evaluated on every request, so it follows the rate. */
export function verdict({ rule, figures, everEngaged, draw, category }: VerdictInput): Verdict {
  if (category) return { autoApprove: false, status: 'always_review' };
  if (!ruleMet(rule, figures)) return { autoApprove: false, status: everEngaged ? 'suspended' : 'learning' };
  if (draw < rule.spotCheckRate) return { autoApprove: false, status: 'spot_check' };
  return { autoApprove: true, status: 'auto_approved' };
}

/** A path's standing, for the report. */
export function pathStatus(rule: AutonomyRule | undefined, figures: AutonomyFigures, everEngaged: boolean): PathStatus {
  if (!rule) return 'no_rule';
  if (ruleMet(rule, figures)) return 'auto_approving';
  return everEngaged ? 'suspended' : 'learning';
}
