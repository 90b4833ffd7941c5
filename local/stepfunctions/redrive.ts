/**
 * RedriveExecution's rules, as Step Functions has them: which executions can be redriven (closed
 * FAILED, ABORTED or TIMED_OUT, for 14 days after they stopped), how DescribeExecution words why
 * one cannot, and which client tokens are answered idempotently (those of the last 10 redrives,
 * for 15 minutes each). Kept apart from the engine, which does the redrive itself (engine.ts), and
 * the journal, which keeps redrivable executions across restarts (journal.ts), so both apply the
 * same rules.
 */
import type { DescribeExecutionOutput, ExecutionStatus } from '@aws-sdk/client-sfn';
import type { RedriveToken } from './types.js';

/** How long after it stopped an execution can be redriven. */
export const REDRIVE_PERIOD_MS = 14 * 24 * 60 * 60 * 1000;
const TOKEN_TTL_MS = 15 * 60 * 1000;
const TOKENS_KEPT = 10;

export type RedrivableStatus = 'FAILED' | 'ABORTED' | 'TIMED_OUT';

export function isRedrivableStatus(status: ExecutionStatus | undefined): status is RedrivableStatus {
  return status === 'FAILED' || status === 'ABORTED' || status === 'TIMED_OUT';
}

/** Why an execution cannot be redriven now, in AWS's words (its `redriveStatusReason`); undefined when it can. */
export function notRedrivableReason(status: ExecutionStatus, stopDate: Date | undefined, now = Date.now()): string | undefined {
  if (!isRedrivableStatus(status)) return `Execution is ${status} and cannot be redriven`;
  if (stopDate !== undefined && now - stopDate.getTime() > REDRIVE_PERIOD_MS) return 'Execution redrivable period exceeded';
  return undefined;
}

/** What DescribeExecution says about redriving. */
export function redriveStatusOf(status: ExecutionStatus, stopDate: Date | undefined): Pick<DescribeExecutionOutput, 'redriveStatus' | 'redriveStatusReason'> {
  const reason = notRedrivableReason(status, stopDate);
  return reason === undefined ? { redriveStatus: 'REDRIVABLE' } : { redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: reason };
}

/** The redrive date to answer again when `clientToken` already redrove the execution (a retried request). */
export function repeatedRedrive(tokens: readonly RedriveToken[] | undefined, clientToken: string | undefined, now = Date.now()): Date | undefined {
  if (clientToken === undefined || !tokens) return undefined;
  return tokens.find((t) => t.clientToken === clientToken && now - t.redriveDate.getTime() <= TOKEN_TTL_MS)?.redriveDate;
}

/** The tokens to remember after a redrive with `clientToken` (none: the list as it was). */
export function rememberToken(tokens: readonly RedriveToken[] | undefined, clientToken: string | undefined, redriveDate: Date): readonly RedriveToken[] | undefined {
  if (clientToken === undefined) return tokens;
  return [...(tokens ?? []), { clientToken, redriveDate }].slice(-TOKENS_KEPT);
}
