/**
 * Graduated autonomy: the shapes shared by the approval handler (which applies a route path's
 * rule), decisions (which feed the path's figures) and the report (GET /autonomy).
 */
import type { AutonomyRule } from '../../state-machines/schema.js';
import type { DecisionAction } from '../shared/step-contract.js';

/** Who "decides" an auto-approved request, in the approval record and the audit trail. */
export const AUTONOMY_REVIEWER = 'handrail-autonomy';

/** The window a path without a rule is measured over (the rule schema's default). */
export const DEFAULT_WINDOW = 200;

/** One human decision on a route path, as kept in the path's rolling window. */
export interface DecisionEntry {
  readonly approvalId: string;
  readonly action: DecisionAction;
  readonly reasonCode?: string;
  /** Time from request to decision. */
  readonly ms: number;
  readonly at: string;
  /** The request was a spot check of an otherwise auto-approving path. */
  readonly spotCheck?: boolean;
}

/** What the human decisions in a path's window say. Rates are null until there is a decision. */
export interface AutonomyFigures {
  /** Human decisions in the window (at most `window`). */
  readonly decisions: number;
  readonly window: number;
  /** Approvals with or without edits, over decisions. */
  readonly approvalRate: number | null;
  /** Approvals of the draft as it was, over decisions: the rate the rule is measured by. */
  readonly uneditedApprovalRate: number | null;
  /** reasonCode → rejections in the window. */
  readonly rejectionReasons: Record<string, number>;
  /** reasonCode → edits in the window. */
  readonly editReasons: Record<string, number>;
  readonly medianDecisionMs: number | null;
}

/**
 * Why a request was or was not approved automatically, stored on the approval:
 * - `auto_approved`: the rule was met and the run was not drawn for a spot check;
 * - `spot_check`: the rule was met, but this run was drawn for human review;
 * - `always_review`: the run is in one of the workflow's alwaysReview categories;
 * - `learning`: not enough decisions yet, or the rate has never reached the bar;
 * - `suspended`: the rate was met once and has since fallen below the bar;
 * - `escalated`: a later escalation level (autonomy only ever replaces the first reviewer);
 * - `not_eligible`: a quorum or multi-part approval, which autonomy never replaces.
 */
export type AutonomyStatus = 'auto_approved' | 'spot_check' | 'always_review' | 'learning' | 'suspended' | 'escalated' | 'not_eligible';

export interface ApprovalAutonomy {
  readonly routeKey: string;
  readonly status: AutonomyStatus;
  readonly rule?: AutonomyRule;
  readonly figures?: AutonomyFigures;
  /** The run's deterministic draw in [0, 1): a spot check when below `rule.spotCheckRate`. */
  readonly spotCheckDraw?: number;
  /** The alwaysReview category the run matched. */
  readonly category?: string;
}

/** A route path as GET /autonomy reports it. */
export type PathStatus = 'auto_approving' | 'learning' | 'suspended' | 'no_rule';
