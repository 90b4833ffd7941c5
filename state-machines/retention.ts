/**
 * How long a workflow's records are kept: declared once in the workflow file (`retention:`), in
 * days, for the run record (its input, status, delivery), its step records (what each step read
 * and produced: model prompts and outputs, retrieved passages) and its approvals (drafts,
 * decisions, edits, comments). Each record is written with DynamoDB's TTL attribute set that many
 * days after it was written (functions/shared/ttl.ts), and DynamoDB deletes it after that time;
 * the log groups of the functions that serve the workflow keep their lines at least as long as
 * the longest of the three (infra/log-retention.ts). Audit events are never expired: the trail
 * must stay whole to verify (erasure redacts them instead: functions/erasure/).
 *
 * @example
 * retention: { runs: 400d, steps: 90d, approvals: 400d }
 */
import * as z from 'zod';

export const RETENTION_KINDS = ['runs', 'steps', 'approvals'] as const;
export type RetentionKind = (typeof RETENTION_KINDS)[number];
/** Days each kind of record is kept. */
export type RetentionDays = Record<RetentionKind, number>;

/** Ten years: the longest CloudWatch Logs keeps a log group's lines (3653 days) still covers it. */
export const MAX_RETENTION_DAYS = 3650;

/**
 * What a workflow that declares nothing keeps: a year of everything, so a year's runs can be
 * audited, replayed and compared; a workflow that handles personal data should say less. Step
 * records left out are kept as long as their run (its `runs`, declared or not).
 */
export const DEFAULT_RETENTION: Readonly<RetentionDays> = { runs: 365, steps: 365, approvals: 365 };

const DAYS = 'a number of days such as 30d or 365d';
const daysSchema = z
  .string({ error: DAYS })
  .regex(/^[1-9]\d*d$/, DAYS)
  .refine((d) => Number(d.slice(0, -1)) <= MAX_RETENTION_DAYS, `at most ${MAX_RETENTION_DAYS}d (ten years)`);

export const retentionSchema = z
  .object({
    runs: daysSchema.optional(),
    steps: daysSchema.optional(),
    approvals: daysSchema.optional(),
  })
  .strict();
export type Retention = z.infer<typeof retentionSchema>;

/** The days each kind is kept: the workflow's own, the default for what it leaves out. */
export function retentionDays(retention: Retention | undefined): RetentionDays {
  const days = (kind: RetentionKind, otherwise: number) => {
    const declared = retention?.[kind];
    return declared ? Number(declared.slice(0, -1)) : otherwise;
  };
  const runs = days('runs', DEFAULT_RETENTION.runs);
  return { runs, steps: days('steps', Math.min(runs, DEFAULT_RETENTION.steps)), approvals: days('approvals', DEFAULT_RETENTION.approvals) };
}

/** The longest any record of the workflow is kept: what its logs, which mention all of them, keep. */
export function longestRetention(days: RetentionDays): number {
  return Math.max(...RETENTION_KINDS.map((k) => days[k]));
}

/**
 * Why the retention cannot hold, if it cannot (empty when it can): step records outlive their run
 * (a step is read through its run), or a record could expire while the run still waits for a
 * decision (`longestWaitSeconds`: every approval level's timeout, added up).
 */
export function retentionIssues(days: RetentionDays, longestWaitSeconds: number): string[] {
  const issues: string[] = [];
  if (days.steps > days.runs) issues.push(`retention.steps: ${days.steps}d is longer than retention.runs (${days.runs}d); step records are read through their run, so keep them no longer`);
  const waitDays = Math.ceil(longestWaitSeconds / 86_400);
  for (const kind of ['runs', 'approvals'] as const) {
    if (days[kind] <= waitDays) issues.push(`retention.${kind}: ${days[kind]}d is not longer than the ${waitDays}d a run can wait for its approvals (their timeouts, with escalation); keep them at least ${waitDays + 1}d`);
  }
  return issues;
}
