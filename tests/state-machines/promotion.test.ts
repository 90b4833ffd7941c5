/** The promotion rule: a build must have ended runs in the stage before, and a replay within tolerance when the rule asks for one. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROMOTION, promotionRefusal, promotionSchema, type PromotionEvidence } from '../../state-machines/promotion.js';
import { rolloutSchema } from '../../state-machines/rollout.js';

const request = { workflowId: 'support-reply', releaseId: 'rel-00000000000000aa', from: 'staging', to: 'prod' };
const ran = (runs: number, replay?: PromotionEvidence['replay']): PromotionEvidence => ({ stage: 'staging', releases: [{ releaseId: 'rel-00000000000000bb', runs }], ...(replay ? { replay } : {}) });
const replay = (changedOutcome: number, changedPath: number) => ({ replayId: 'rpl-000000000001', runs: 20, changedOutcome, changedPath });

describe('promotion rule', () => {
  it('asks by default for one ended run in the stage before, and no replay', () => {
    expect(DEFAULT_PROMOTION).toEqual({ minRuns: 1 });
    expect(rolloutSchema.parse({ promotion: { minRuns: 3 } })).toEqual({ strategy: 'all-at-once', promotion: { minRuns: 3 } });
  });

  it('refuses a release whose build never ran in the stage before, naming both stages', () => {
    expect(promotionRefusal(request, DEFAULT_PROMOTION, { stage: 'staging', releases: [] })).toBe(
      'support-reply: release rel-00000000000000aa never ran in staging; deploy it to staging and run it there before promoting it to prod',
    );
    expect(promotionRefusal(request, DEFAULT_PROMOTION, ran(0))).toContain('ended 0 runs in staging; prod asks for 1 (release.promotion.minRuns)');
  });

  it('counts the runs of every release of the same build', () => {
    const rule = promotionSchema.parse({ minRuns: 5 });
    expect(promotionRefusal(request, rule, ran(4))).toContain('ended 4 runs in staging; prod asks for 5');
    expect(promotionRefusal(request, rule, { stage: 'staging', releases: [{ releaseId: 'rel-00000000000000bb', runs: 3 }, { releaseId: 'rel-00000000000000cc', runs: 2 }] })).toBeUndefined();
  });

  it('asks for a complete replay within tolerance when the rule says so', () => {
    const rule = promotionSchema.parse({ replay: { maxOutcomeChangeRate: 0.1, maxRouteChangeRate: 0.25 } });
    expect(promotionRefusal(request, rule, ran(3))).toContain('prod asks for a complete replay of rel-00000000000000bb in staging (release.promotion.replay); run npx handrail replay support-reply --release rel-00000000000000bb');
    expect(promotionRefusal(request, rule, ran(3, replay(2, 5)))).toBeUndefined();
    expect(promotionRefusal(request, rule, ran(3, replay(3, 0)))).toBe(
      'support-reply: replay rpl-000000000001 changed the outcome of 3 of 20 runs (15%); prod accepts at most 10% (release.promotion.replay.maxOutcomeChangeRate)',
    );
    expect(promotionRefusal(request, rule, ran(3, replay(0, 6)))).toContain('changed the route of 6 of 20 runs (30%); prod accepts at most 25% (release.promotion.replay.maxRouteChangeRate)');
  });

  it('refuses a malformed rule, naming the field', () => {
    expect(promotionSchema.safeParse({ minRuns: 0 }).error?.issues[0]?.path).toEqual(['minRuns']);
    expect(promotionSchema.safeParse({ replay: { maxOutcomeChangeRate: 2 } }).error?.issues[0]?.path).toEqual(['replay', 'maxOutcomeChangeRate']);
    expect(promotionSchema.safeParse({ minRun: 2 }).success).toBe(false);
  });
});
