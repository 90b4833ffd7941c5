/**
 * Applies a workflow's autonomy policy to one approval request: which route path the run came
 * through, whether it is in an alwaysReview category, and, only when that path has a rule, the
 * path's figures (one strongly consistent read) and the verdict. A workflow without a policy, or
 * a path without a rule, costs no DynamoDB call: the approval handler is on the hot path.
 */
import * as z from 'zod';
import { autonomyRuleSchema, workflowSchema } from '../../state-machines/schema.js';
import type { Decision } from '../records/approvals.js';
import type { StateData } from '../shared/step-contract.js';
import { matchingCategory, routeTaken } from './conditions.js';
import { computeFigures, spotCheckDraw, verdict } from './figures.js';
import { readStats } from './stats-store.js';
import { AUTONOMY_REVIEWER, type ApprovalAutonomy } from './types.js';

/** The `policy` the compiler adds to an approval's payload (state-machines/compiler/tasks.ts). */
export const approvalPolicySchema = z.object({
  alwaysReview: workflowSchema.shape.alwaysReview,
  /** Rules by `<routeStepId>/<pathName>`. */
  autonomy: z.record(z.string(), autonomyRuleSchema).default({}),
});
export type ApprovalPolicyInput = z.infer<typeof approvalPolicySchema>;

export interface Assessment {
  readonly autoApprove: boolean;
  /** `<workflowId>/<routeStepId>/<pathName>` when the run came through a route. */
  readonly routeKey?: string;
  readonly autonomy?: ApprovalAutonomy;
}

export interface AssessInput {
  readonly policy?: ApprovalPolicyInput;
  readonly state: StateData & { routes?: unknown };
  readonly level: number;
  /** Quorum and multi-part approvals are never replaced by autonomy. */
  readonly eligible: boolean;
}

export async function assessAutonomy({ policy, state, level, eligible }: AssessInput): Promise<Assessment> {
  const route = routeTaken(state);
  if (!route) return { autoApprove: false };
  const routeKey = `${state.run.workflowId}/${route.routeStepId}/${route.pathName}`;
  if (!policy) return { autoApprove: false, routeKey };
  const rule = policy.autonomy[`${route.routeStepId}/${route.pathName}`];
  const category = matchingCategory(policy.alwaysReview, state);
  const withCategory = category ? { category } : {};
  if (!rule) return { autoApprove: false, routeKey, ...(category ? { autonomy: { routeKey, status: 'always_review', category } } : {}) };
  // The rule rides along so the decision that closes this request is measured over its window.
  if (level > 0) return { autoApprove: false, routeKey, autonomy: { routeKey, status: 'escalated', rule, ...withCategory } };
  if (!eligible) return { autoApprove: false, routeKey, autonomy: { routeKey, status: 'not_eligible', rule, ...withCategory } };

  const stats = await readStats(routeKey);
  const figures = computeFigures(stats.recent, rule.window);
  const draw = spotCheckDraw(state.run.runId, routeKey);
  const { autoApprove, status } = verdict({ rule, figures, everEngaged: stats.engagedAt !== undefined, draw, category });
  return { autoApprove, routeKey, autonomy: { routeKey, status, rule, figures, spotCheckDraw: draw, ...withCategory } };
}

/**
 * The fields the assessment adds to the stored request. An auto-approval is stored decided:
 * status `auto_approved`, the draft as the final text, and a decision by Handrail itself.
 */
export function autonomyFields(assessment: Assessment, draftText: string, decidedAt: string) {
  if (!assessment.routeKey) return {};
  const fields = { routeKey: assessment.routeKey, ...(assessment.autonomy ? { autonomy: assessment.autonomy } : {}) };
  if (!assessment.autoApprove) return fields;
  const decision: Decision = { action: 'approve', reviewer: AUTONOMY_REVIEWER, channel: 'autonomy', decidedAt };
  return { ...fields, status: 'auto_approved' as const, decision, finalText: draftText };
}
