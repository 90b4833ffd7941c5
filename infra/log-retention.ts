/**
 * How long CloudWatch Logs keeps a log group's lines, derived from the workflows' `retention`
 * (state-machines/retention.ts) rather than chosen apart from it: a function's lines mention the
 * records of every workflow it serves (run ids, step outcomes, reviewers), so they are kept as long
 * as the longest-kept record of those workflows, and no longer than the next period CloudWatch
 * offers. Lines never carry a secret, and personal data in them is masked (functions/shared/logger).
 */
import * as logs from 'aws-cdk-lib/aws-logs';
import { longestRetention, retentionDays } from '../state-machines/retention.js';
import type { LoadedWorkflow } from '../state-machines/load-workflow.js';

/** The periods CloudWatch Logs accepts, in days, shortest first (RetentionDays less INFINITE). */
const PERIODS = Object.values(logs.RetentionDays)
  .filter((d): d is logs.RetentionDays => typeof d === 'number' && d !== logs.RetentionDays.INFINITE)
  .sort((a, b) => a - b);

/**
 * The shortest period CloudWatch Logs accepts that keeps lines at least `days` days.
 *
 * @example logRetentionFor(100) // RetentionDays.FOUR_MONTHS (120)
 */
export function logRetentionFor(days: number): logs.RetentionDays {
  const period = PERIODS.find((p) => p >= days);
  if (period === undefined) throw new Error(`No CloudWatch Logs retention keeps lines ${days} days (the longest is ${PERIODS.at(-1)}); received ${days}, use at most ${PERIODS.at(-1)}`);
  return period;
}

const longestOf = (workflow: LoadedWorkflow) => longestRetention(retentionDays(workflow.definition.retention));

/** A workflow's own log groups (its state machine's execution logs, its retrieve function): as long as its longest-kept record. */
export function logRetentionOf(workflow: LoadedWorkflow): logs.RetentionDays {
  return logRetentionFor(longestOf(workflow));
}

/** The log groups of functions every workflow shares: as long as the longest-kept record of any of them (the default's, with none). */
export function sharedLogRetention(workflows: readonly LoadedWorkflow[]): logs.RetentionDays {
  return logRetentionFor(workflows.length ? Math.max(...workflows.map(longestOf)) : longestRetention(retentionDays(undefined)));
}
