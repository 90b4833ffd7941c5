/** The pure arithmetic of graduated autonomy: figures, the rule, the spot-check draw, the verdict. */
import { describe, expect, it } from 'vitest';
import { computeFigures, median, pathStatus, ruleMet, spotCheckDraw, verdict } from '../../../functions/autonomy/figures.js';
import type { AutonomyFigures, DecisionEntry } from '../../../functions/autonomy/types.js';
import { autonomyRuleSchema } from '../../../state-machines/schema.js';

const rule = autonomyRuleSchema.parse({ minDecisions: 5, minUneditedApprovalRate: 0.8, spotCheckRate: 0.25, window: 10 });

/** `a` approve, `e` edit (tone), `r` reject (policy); ms = 1000 × position. */
function entries(pattern: string): DecisionEntry[] {
  return [...pattern].map((c, i) => ({
    approvalId: `a${i}`,
    action: c === 'a' ? 'approve' : c === 'e' ? 'edit' : 'reject',
    ...(c === 'e' ? { reasonCode: 'tone' } : c === 'r' ? { reasonCode: 'policy' } : {}),
    ms: 1000 * (i + 1),
    at: new Date(1_700_000_000_000 + i).toISOString(),
  }));
}

const figures = (decisions: number, uneditedApprovalRate: number | null): AutonomyFigures => ({
  decisions, window: 10, approvalRate: uneditedApprovalRate, uneditedApprovalRate, rejectionReasons: {}, editReasons: {}, medianDecisionMs: null,
});

describe('median', () => {
  it.each([
    [[], null],
    [[5], 5],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[10, 10, 1000], 10],
  ])('median(%j) = %j', (values, expected) => expect(median(values)).toBe(expected));
});

describe('computeFigures', () => {
  it.each([
    { pattern: '', window: 10, decisions: 0, approval: null, unedited: null, rejections: {}, edits: {}, medianMs: null },
    { pattern: 'aaaa', window: 10, decisions: 4, approval: 1, unedited: 1, rejections: {}, edits: {}, medianMs: 2500 },
    { pattern: 'aaer', window: 10, decisions: 4, approval: 0.75, unedited: 0.5, rejections: { policy: 1 }, edits: { tone: 1 }, medianMs: 2500 },
    { pattern: 'rrrrraaaaa', window: 5, decisions: 5, approval: 1, unedited: 1, rejections: {}, edits: {}, medianMs: 8000 },
    { pattern: 'aaaaarrrrr', window: 5, decisions: 5, approval: 0, unedited: 0, rejections: { policy: 5 }, edits: {}, medianMs: 8000 },
    { pattern: 'aaaaaaaaer', window: 10, decisions: 10, approval: 0.9, unedited: 0.8, rejections: { policy: 1 }, edits: { tone: 1 }, medianMs: 5500 },
  ])('$pattern over a window of $window', ({ pattern, window, decisions, approval, unedited, rejections, edits, medianMs }) => {
    expect(computeFigures(entries(pattern), window)).toEqual({
      decisions, window, approvalRate: approval, uneditedApprovalRate: unedited, rejectionReasons: rejections, editReasons: edits, medianDecisionMs: medianMs,
    });
  });

  it('counts a rejection without a reason code as unspecified', () => {
    const [entry] = entries('r');
    const { reasonCode: _code, ...bare } = entry!;
    expect(computeFigures([bare], 10).rejectionReasons).toEqual({ unspecified: 1 });
  });

  it('lets the rate fall as new decisions push old ones out of the window', () => {
    const before = computeFigures(entries('aaaaaaaaaa'), 10);
    const after = computeFigures(entries('aaaaaaaaaarrr'), 10);
    expect(before.uneditedApprovalRate).toBe(1);
    expect(after.uneditedApprovalRate).toBe(0.7);
    expect(after.decisions).toBe(10);
  });
});

describe('ruleMet', () => {
  it.each([
    { decisions: 0, rate: null, met: false },
    { decisions: 4, rate: 1, met: false },
    { decisions: 5, rate: 1, met: true },
    { decisions: 5, rate: 0.8, met: true },
    { decisions: 10, rate: 0.8, met: true },
    { decisions: 10, rate: 0.7, met: false },
    { decisions: 10, rate: 7 / 9, met: false },
  ])('$decisions decisions at $rate → $met', ({ decisions, rate, met }) => expect(ruleMet(rule, figures(decisions, rate))).toBe(met));

  it('meets a bar exactly at the boundary, whatever the window', () => {
    const bar = autonomyRuleSchema.parse({ minDecisions: 20, minUneditedApprovalRate: 0.95, window: 20 });
    expect(ruleMet(bar, computeFigures(entries(`${'a'.repeat(19)}e`), 20))).toBe(true);
    expect(ruleMet(bar, computeFigures(entries(`${'a'.repeat(18)}ee`), 20))).toBe(false);
  });
});

describe('verdict', () => {
  const met = figures(10, 0.9);
  const below = figures(10, 0.7);
  const few = figures(3, 1);
  it.each([
    { name: 'rule met, not drawn', f: met, everEngaged: true, draw: 0.5, category: undefined, autoApprove: true, status: 'auto_approved' },
    { name: 'rule met, drawn for a spot check', f: met, everEngaged: true, draw: 0.1, category: undefined, autoApprove: false, status: 'spot_check' },
    { name: 'draw exactly at the rate is not a spot check', f: met, everEngaged: true, draw: 0.25, category: undefined, autoApprove: true, status: 'auto_approved' },
    { name: 'an alwaysReview category wins over a met rule', f: met, everEngaged: true, draw: 0.9, category: 'legal', autoApprove: false, status: 'always_review' },
    { name: 'too few decisions', f: few, everEngaged: false, draw: 0.9, category: undefined, autoApprove: false, status: 'learning' },
    { name: 'below the bar, never engaged', f: below, everEngaged: false, draw: 0.9, category: undefined, autoApprove: false, status: 'learning' },
    { name: 'below the bar after being engaged', f: below, everEngaged: true, draw: 0.9, category: undefined, autoApprove: false, status: 'suspended' },
  ])('$name', ({ f, everEngaged, draw, category, autoApprove, status }) => {
    expect(verdict({ rule, figures: f, everEngaged, draw, category })).toEqual({ autoApprove, status });
  });
});

describe('pathStatus', () => {
  it.each([
    { hasRule: false, f: figures(10, 1), everEngaged: true, status: 'no_rule' },
    { hasRule: true, f: figures(10, 1), everEngaged: false, status: 'auto_approving' },
    { hasRule: true, f: figures(2, 1), everEngaged: false, status: 'learning' },
    { hasRule: true, f: figures(10, 0.5), everEngaged: true, status: 'suspended' },
  ])('$status', ({ hasRule, f, everEngaged, status }) => expect(pathStatus(hasRule ? rule : undefined, f, everEngaged)).toBe(status));
});

describe('spotCheckDraw', () => {
  it('is deterministic, in [0, 1), and differs by run and by path', () => {
    const d = spotCheckDraw('run-1', 'wf/triage/routine');
    expect(spotCheckDraw('run-1', 'wf/triage/routine')).toBe(d);
    expect(d).toBeGreaterThanOrEqual(0);
    expect(d).toBeLessThan(1);
    expect(spotCheckDraw('run-2', 'wf/triage/routine')).not.toBe(d);
    expect(spotCheckDraw('run-1', 'wf/triage/other')).not.toBe(d);
  });

  it('selects about the configured share of runs', () => {
    const draws = Array.from({ length: 10_000 }, (_, i) => spotCheckDraw(`run-${i}`, 'wf/triage/routine'));
    for (const rate of [0.05, 0.25, 0.5]) {
      const share = draws.filter((d) => d < rate).length / draws.length;
      expect(Math.abs(share - rate)).toBeLessThan(0.02);
    }
  });
});
