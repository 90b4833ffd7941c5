/**
 * How a workflow's new release reaches traffic, and the quality rule that takes it back: declared
 * once in the workflow file (`release:`), compiled into the alias's DeploymentPreference and its
 * CloudWatch alarms on AWS, and evaluated by the local runtime from the same counts.
 *
 * The counts are per release: runs that ended, human decisions on their drafts (approved as is,
 * edited, rejected), runs that went to the human queue, and runs that errored. A rate is only
 * judged once `minDecisions` decisions (decision rates) or runs (run rates) are in.
 *
 * @example
 * release: { strategy: canary, percent: 10, bake: 30m, rollbackWhen: { rejectionRateAbove: 0.2, minDecisions: 20 } }
 */
import * as z from 'zod';
import { promotionSchema, shareSchema as rate } from './promotion.js';

/** The counts a release is judged on, with the metric each is published as (EMF, namespace Handrail). */
export const RELEASE_COUNTS = {
  runs: 'RunsEnded',
  decisions: 'Decisions',
  approved: 'Approved',
  edited: 'Edited',
  rejected: 'Rejected',
  needsHuman: 'NeedsHuman',
  errors: 'Errors',
} as const;
export type ReleaseCounts = Record<keyof typeof RELEASE_COUNTS, number>;
export const METRICS_NAMESPACE = 'Handrail';
/** Powertools Metrics adds this as the `service` dimension of everything it publishes. */
export const METRICS_SERVICE = 'handrail';
/** The dimensions a release's counts are published with (an alarm must name them all). */
export const releaseDimensions = (workflowId: string, releaseId: string) => ({ service: METRICS_SERVICE, Workflow: workflowId, Release: releaseId });

/** Each rule: the rate it judges (numerator over denominator), and whether breaching is below or above. */
export const ROLLBACK_RULES = {
  approvalRateBelow: { of: 'approved', over: 'decisions', breach: 'below' },
  editRateAbove: { of: 'edited', over: 'decisions', breach: 'above' },
  rejectionRateAbove: { of: 'rejected', over: 'decisions', breach: 'above' },
  needsHumanRateAbove: { of: 'needsHuman', over: 'runs', breach: 'above' },
  errorRateAbove: { of: 'errors', over: 'runs', breach: 'above' },
} as const satisfies Record<string, { of: keyof ReleaseCounts; over: 'decisions' | 'runs'; breach: 'below' | 'above' }>;
export type RollbackRuleName = keyof typeof ROLLBACK_RULES;

const minutes = z
  .string()
  .regex(/^\d+(m|h)$/, 'a duration in whole minutes or hours, such as 30m or 2h')
  .refine((d) => bakeMinutes(d) >= 1 && bakeMinutes(d) <= 2100, 'between 1m and 35h (Step Functions deploys shift traffic every 1 to 2100 minutes)');

export const rolloutSchema = z
  .object({
    /** `canary`: `percent` of new runs for `bake`, then all; `linear`: `percent` more every `bake`; `all-at-once`: at once. */
    strategy: z.enum(['canary', 'linear', 'all-at-once']).default('all-at-once'),
    percent: z.number().int().min(1).max(99).optional(),
    bake: minutes.optional(),
    rollbackWhen: z
      .object({
        ...(Object.fromEntries(Object.keys(ROLLBACK_RULES).map((k) => [k, rate.optional()])) as Record<RollbackRuleName, z.ZodOptional<typeof rate>>),
        minDecisions: z.number().int().min(1).default(20),
      })
      .strict()
      .optional(),
    /** What the next stage asks of this release before it takes it from this one (promotion.ts). */
    promotion: promotionSchema.optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.strategy === 'all-at-once') {
      if (r.percent !== undefined || r.bake !== undefined) ctx.addIssue({ code: 'custom', path: ['strategy'], message: 'all-at-once takes no percent or bake' });
      return;
    }
    if (r.percent === undefined) ctx.addIssue({ code: 'custom', path: ['percent'], message: `a ${r.strategy} release needs percent (1-99): the share of new runs the new release takes` });
    if (r.bake === undefined) ctx.addIssue({ code: 'custom', path: ['bake'], message: `a ${r.strategy} release needs bake (e.g. 30m): how long each step lasts before more traffic moves` });
  });
export type Rollout = z.infer<typeof rolloutSchema>;
export type RollbackWhen = NonNullable<Rollout['rollbackWhen']>;

export function bakeMinutes(bake: string): number {
  const n = Number(bake.slice(0, -1));
  return bake.endsWith('h') ? n * 60 : n;
}

/** The rules a release breaks with these counts (empty while it has fewer than minDecisions decisions or runs). */
export function breachedRules(counts: ReleaseCounts, when: RollbackWhen): { rule: RollbackRuleName; rate: number; threshold: number }[] {
  const breached: { rule: RollbackRuleName; rate: number; threshold: number }[] = [];
  for (const [rule, { of, over, breach }] of Object.entries(ROLLBACK_RULES) as [RollbackRuleName, (typeof ROLLBACK_RULES)[RollbackRuleName]][]) {
    const threshold = when[rule];
    if (threshold === undefined || counts[over] < when.minDecisions) continue;
    const value = counts[of] / counts[over];
    if (breach === 'above' ? value > threshold : value < threshold) breached.push({ rule, rate: value, threshold });
  }
  return breached;
}

/** The alias's DeploymentPreference (AWS::StepFunctions::StateMachineAlias) a rollout compiles to. */
export interface DeploymentPreference {
  readonly type: 'ALL_AT_ONCE' | 'CANARY' | 'LINEAR';
  /** Percent of new runs per step (CANARY: the first step; LINEAR: every step). */
  readonly percentage?: number;
  /** Minutes between steps. */
  readonly interval?: number;
}

export function deploymentPreferenceOf(rollout: Rollout | undefined): DeploymentPreference {
  if (!rollout || rollout.strategy === 'all-at-once') return { type: 'ALL_AT_ONCE' };
  return { type: rollout.strategy === 'canary' ? 'CANARY' : 'LINEAR', percentage: rollout.percent!, interval: bakeMinutes(rollout.bake!) };
}

/** The new version's weight `elapsedMinutes` into a deployment (100: fully shifted), as Step Functions shifts it. */
export function newVersionWeight({ type, percentage = 100, interval = 1 }: DeploymentPreference, elapsedMinutes: number): number {
  if (type === 'ALL_AT_ONCE') return 100;
  const steps = Math.floor(elapsedMinutes / interval);
  if (type === 'CANARY') return steps >= 1 ? 100 : percentage;
  return Math.min(100, percentage * (steps + 1));
}

/** How one run ended, as the release's counts see it. */
export interface RunOutcome {
  /** The run's final status (functions/records/runs.ts). */
  readonly status: string;
  /** A person's decision on its draft, if one was made (auto-approvals are not decisions). */
  readonly decision?: 'approved' | 'edited' | 'rejected';
}

const NEEDS_HUMAN = new Set(['needs_human']);
const ERRORS = new Set(['failed', 'delivery_failed']);

/** What one ended run adds to its release's counts (the finish function publishes these; the local runtime sums them). */
export function countsOf({ status, decision }: RunOutcome): ReleaseCounts {
  return {
    runs: 1,
    decisions: decision ? 1 : 0,
    approved: decision === 'approved' ? 1 : 0,
    edited: decision === 'edited' ? 1 : 0,
    rejected: decision === 'rejected' ? 1 : 0,
    needsHuman: NEEDS_HUMAN.has(status) ? 1 : 0,
    errors: ERRORS.has(status) ? 1 : 0,
  };
}

export const emptyCounts = (): ReleaseCounts => ({ runs: 0, decisions: 0, approved: 0, edited: 0, rejected: 0, needsHuman: 0, errors: 0 });

export function addCounts(into: ReleaseCounts, more: ReleaseCounts): ReleaseCounts {
  for (const key of Object.keys(into) as (keyof ReleaseCounts)[]) into[key] += more[key];
  return into;
}
