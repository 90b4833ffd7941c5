/**
 * What a stage asks of a release before it takes it from the stage before (`release.promotion` in
 * the workflow file), and the check itself: the release (the same build: everything but the
 * stage's own delivery URLs) must have ended `minRuns` runs in the stage before, and, when the rule
 * asks for one, a complete replay of recorded runs through it there must stay within the stated
 * share of changed outcomes and routes. The pipeline's check before a stage and `npx handrail
 * promote` run this same check on the same evidence (functions/releases/promotion-evidence.ts).
 *
 * @example
 * release: { promotion: { minRuns: 20, replay: { maxOutcomeChangeRate: 0.1, maxRouteChangeRate: 0.25 } } }
 */
import * as z from 'zod';

/** A share: 0 to 1. */
export const shareSchema = z.number().min(0).max(1);
const rate = shareSchema;

export const promotionSchema = z
  .object({
    /** Runs the release must have ended (delivered, rejected, needs_human or failed) in the stage before; replays do not count. */
    minRuns: z.number().int().min(1).default(1),
    /** Ask for a complete replay of the release in the stage before, changing at most these shares of the replayed runs. */
    replay: z
      .object({
        maxOutcomeChangeRate: rate.default(0),
        maxRouteChangeRate: rate.default(1),
      })
      .strict()
      .optional(),
  })
  .strict();
export type PromotionRule = z.infer<typeof promotionSchema>;
export const DEFAULT_PROMOTION: PromotionRule = promotionSchema.parse({});

/** What the stage before holds about a build: the releases it ran it as, their ended runs, and its newest complete replay. */
export interface PromotionEvidence {
  /** The stage the evidence comes from. */
  readonly stage: string;
  /** The releases of the stage before built the same (usually one), each with its ended runs (replays excluded). */
  readonly releases: readonly { readonly releaseId: string; readonly runs: number }[];
  /** The newest complete replay through one of them, if any. */
  readonly replay?: { readonly replayId: string; readonly runs: number; readonly changedOutcome: number; readonly changedPath: number };
}

export interface PromotionRequest {
  readonly workflowId: string;
  /** The release the stage promoted to would run. */
  readonly releaseId: string;
  readonly from: string;
  readonly to: string;
}

const share = (n: number, of: number) => (of === 0 ? 0 : n / of);
const percent = (r: number) => `${Math.round(r * 1000) / 10}%`;

/** Why the promotion is refused (one line a person can act on), or undefined when the rule holds. */
export function promotionRefusal(request: PromotionRequest, rule: PromotionRule, evidence: PromotionEvidence): string | undefined {
  const { workflowId, releaseId, from, to } = request;
  const runs = evidence.releases.reduce((sum, r) => sum + r.runs, 0);
  if (evidence.releases.length === 0) {
    return `${workflowId}: release ${releaseId} never ran in ${from}; deploy it to ${from} and run it there before promoting it to ${to}`;
  }
  const named = evidence.releases.map((r) => r.releaseId).join(', ');
  if (runs < rule.minRuns) {
    return `${workflowId}: release ${releaseId} (${named} in ${from}) ended ${runs} run${runs === 1 ? '' : 's'} in ${from}; ${to} asks for ${rule.minRuns} (release.promotion.minRuns)`;
  }
  if (rule.replay) {
    const replay = evidence.replay;
    if (!replay) return `${workflowId}: ${to} asks for a complete replay of ${named} in ${from} (release.promotion.replay); run npx handrail replay ${workflowId} --release ${evidence.releases[0]!.releaseId} --from <time> there first`;
    const outcomes = share(replay.changedOutcome, replay.runs);
    const routes = share(replay.changedPath, replay.runs);
    if (outcomes > rule.replay.maxOutcomeChangeRate) {
      return `${workflowId}: replay ${replay.replayId} changed the outcome of ${replay.changedOutcome} of ${replay.runs} runs (${percent(outcomes)}); ${to} accepts at most ${percent(rule.replay.maxOutcomeChangeRate)} (release.promotion.replay.maxOutcomeChangeRate)`;
    }
    if (routes > rule.replay.maxRouteChangeRate) {
      return `${workflowId}: replay ${replay.replayId} changed the route of ${replay.changedPath} of ${replay.runs} runs (${percent(routes)}); ${to} accepts at most ${percent(rule.replay.maxRouteChangeRate)} (release.promotion.replay.maxRouteChangeRate)`;
    }
  }
  return undefined;
}
