/**
 * After a decision is recorded (whole or the last part): send it to the waiting run, and say what
 * became of it. The decision is durable from the moment it was written, so only a wait that had
 * truly timed out makes it late; everything else resumes the run now or later.
 */
import { getApproval, type ApprovalRecord } from '../records/approvals.js';
import { logger } from '../shared/logger.js';
import { sendResume } from './resume-run.js';

/**
 * Before this much time is left to its recorded deadline, a closed wait is not a timeout: the
 * approval state may be retrying with a new token (Lambda retries back off for about a minute),
 * and the retried state resumes with the recorded decision.
 */
const RETRY_WINDOW_MS = 60_000;

/** `sent`: the run took it; `deferred`: recorded, resumed by a retried state or the reconciler; `late`: its wait timed out first. */
export type ResumeOutcome = 'sent' | 'deferred' | 'late';

async function send(approval: ApprovalRecord): Promise<'sent' | 'closed' | 'failed'> {
  try {
    return await sendResume(approval);
  } catch (err) {
    logger.warn('decision recorded; resuming its run failed and is left to the reconciler', { approvalId: approval.approvalId, error: (err as Error).name });
    return 'failed';
  }
}

export async function resumeAfterDecision(decided: ApprovalRecord, now = () => Date.now()): Promise<ResumeOutcome> {
  const first = await send(decided);
  if (first === 'sent') return 'sent';
  if (first === 'failed') return 'deferred';
  // That token's wait is closed. A retried approval state may have put its new token in place.
  const current = await getApproval(decided.approvalId);
  if (current && current.taskToken !== decided.taskToken) {
    const again = await send({ ...decided, taskToken: current.taskToken });
    if (again === 'sent') return 'sent';
  }
  return now() < Date.parse(decided.deadline) - RETRY_WINDOW_MS ? 'deferred' : 'late';
}
