/**
 * Lambda on a schedule (EventBridge, every minute): resumes runs whose recorded decision did not
 * reach Step Functions (functions/approvals/reconcile-decisions.ts). Only decisions older than the
 * grace period are looked at, so the sweep never races the request still sending one; "now" is the
 * scheduled event's time (fake time in tests).
 */
import * as z from 'zod';
import { reconcileDecisions } from '../../approvals/reconcile-decisions.js';
import { stepHandler } from '../../shared/lambda-handler.js';

/** Longer than the API's own timeout (29 s) plus the SDK's retries of SendTask*. */
export const RECONCILE_GRACE_MS = 2 * 60_000;

const scheduledEventSchema = z.object({ time: z.string().datetime({ offset: true }) }).passthrough();

export const handler = stepHandler(scheduledEventSchema, async (event) => {
  const report = await reconcileDecisions(new Date(Date.parse(event.time) - RECONCILE_GRACE_MS));
  return { checkedAt: event.time, ...report };
});
