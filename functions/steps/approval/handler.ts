/**
 * Lambda behind an approval's `.waitForTaskToken` state: stores the request with its task token
 * so a decision can resume the run, closes the previous level when this is an escalation, and
 * marks the run as awaiting approval. Returning does not resume the run; only a decision does,
 * or graduated autonomy (functions/autonomy/), when the route path's rule approves the draft itself.
 *
 * Idempotent per approval: a retried invocation (a Lambda retry on AWS, the local engine after a
 * restart) finds the stored request (approval-retry.ts) and never overwrites a decision.
 */
import * as z from 'zod';
import { draftHash } from '../../approvals/draft-hash.js';
import { buildItems, joinedDraft } from '../../approvals/approval-items.js';
import { reviewerFromInput } from '../../approvals/input-reviewer.js';
import { approvalPolicySchema, assessAutonomy, autonomyFields, type Assessment } from '../../autonomy/assess.js';
import { completeAutoApproval } from '../../autonomy/auto-approve.js';
import { replayDecisionFields, resumeReplay } from '../../replays/replay-approval.js';
import { notifyApprovalRequested } from '../../notifications/notify.js';
import { approvalIdFor, closeApproval, getApproval, putApprovalRequest } from '../../records/approvals.js';
import { continueStoredRequest } from './approval-retry.js';
import { recordAudit } from '../../records/audit.js';
import { updateRun } from '../../records/runs.js';
import { ValidationError } from '../../shared/errors.js';
import { logger } from '../../shared/logger.js';
import type { GenerateOutput } from '../../shared/step-contract.js';
import { expiryOf } from '../../shared/ttl.js';
import { durationSeconds } from '../../../state-machines/schema.js';
import { stepTaskHandler } from '../step-task.js';
import { passagesInState } from '../passages-in-state.js';
import { classificationIn } from '../classification-in-state.js';
import { qualityFailuresIn } from '../quality-failures-in-state.js';

const approvalFields = {
  level: z.number().int().min(0).max(5),
  partReviewers: z.record(z.string(), z.array(z.string().min(1)).min(1)).optional(),
  // Empty at level 0 of a step with reviewersFromInput: the input names the reviewer.
  reviewers: z.array(z.string().min(1)),
  timeoutSeconds: z.number().int().positive(),
  taskToken: z.string().min(1),
  requesterField: z.string().optional(),
  policy: approvalPolicySchema.optional(),
};

export const handler = stepTaskHandler('approval', approvalFields, async ({ step, state, record, level, reviewers: compiled, timeoutSeconds, taskToken, requesterField, partReviewers, policy }) => {
  const { runId, workflowId } = state.run;
  const approvalId = approvalIdFor(runId, step.id, level);
  const reviewers = level === 0 && step.reviewersFromInput ? [reviewerFromInput(step.reviewersFromInput, state.input)] : compiled;
  if (!reviewers.length) throw new ValidationError(`Approval ${step.id}, level ${level}: no reviewers`, 'reviewers');
  // Multi-part: each part's draft; decided parts carry over when the request escalates.
  const earlier = step.parts && level > 0 ? ((await getApproval(approvalIdFor(runId, step.id, level - 1)))?.items ?? []) : [];
  const items = step.parts ? buildItems(step, state, (part) => partReviewers?.[part] ?? reviewers, earlier) : undefined;
  const draft = items ? { text: joinedDraft(items), provider: items[0]!.draft.provider, model: items[0]!.draft.model, citations: [] } : (state.steps[step.draft!] as GenerateOutput | undefined);
  if (!draft?.text) throw new ValidationError(`Approval ${step.id} reviews ${step.draft}, which produced no draft`, 'step.draft');
  const requester = requesterField && typeof state.input[requesterField] === 'string' ? (state.input[requesterField] as string) : undefined;
  const now = new Date();
  const deadline = new Date(now.getTime() + timeoutSeconds * 1000).toISOString();
  // No DynamoDB call unless the route path has an autonomy rule; a replay asks nobody (functions/replays/).
  const replay = state.run.replay;
  const assessment: Assessment = replay ? { autoApprove: false } : await assessAutonomy({ policy, state, level, eligible: !items && step.requiredApprovals === 1 && !step.signIn });

  const hash = draftHash(draft.text);
  const created = await putApprovalRequest({
    approvalId,
    runId,
    workflowId,
    stepId: step.id,
    level,
    status: 'pending',
    reviewers,
    taskToken,
    requestedAt: now.toISOString(),
    deadline,
    input: state.input,
    draft: { text: draft.text, provider: draft.provider, model: draft.model, citations: draft.citations },
    draftHash: hash,
    reasons: step.reasons,
    requiredApprovals: step.requiredApprovals,
    allowSelfApproval: step.allowSelfApproval,
    ...(step.signIn ? { signIn: step.signIn } : {}),
    ...(requester ? { requester } : {}),
    // Which release drafted what the reviewer sees (state-machines/release.ts).
    ...(state.run.releaseId ? { releaseId: state.run.releaseId } : {}),
    votes: [],
    voterIds: [],
    ...(step.reminderEvery ? { reminderEverySeconds: durationSeconds(step.reminderEvery) } : {}),
    ...(step.channels.length ? { channels: step.channels } : {}),
    ...(step.slackChannel ? { slackChannel: step.slackChannel } : {}),
    ...(items ? { items } : {}),
    ...qualityFailuresIn(state),
    ...classificationIn(state),
    // A proposed knowledge edit: the document's current text, for the diff the reviewer decides on.
    ...(!items && (draft as GenerateOutput).revision ? { proposal: (draft as GenerateOutput).revision } : {}),
    sources: passagesInState(state).map(({ n, title, docId, version, passageId, text, score }) => ({ n, title, docId, version, passageId, text, score })),
    ...(replay ? replayDecisionFields(draft.text, now.toISOString()) : autonomyFields(assessment, draft.text, now.toISOString())),
    ...expiryOf(record.retention, 'approvals', now),
  });
  if (created === 'exists') {
    const retried = await continueStoredRequest(approvalId, taskToken, hash);
    if (retried) return retried;
    // Otherwise the first invocation stopped before the rest of its work (below): do it now.
  } else if (replay) {
    return resumeReplay({ approvalId, runId, stepId: step.id, taskToken, text: draft.text, decidedAt: now.toISOString() });
  } else if (assessment.autoApprove) {
    return completeAutoApproval({ approvalId, runId, workflowId, stepId: step.id, taskToken, text: draft.text, decidedAt: now.toISOString(), autonomy: assessment.autonomy! });
  }

  if (level > 0) {
    const previous = approvalIdFor(runId, step.id, level - 1);
    if (await closeApproval(previous, 'escalated', `no decision in time; escalated to ${reviewers.join(', ')}`)) {
      await recordAudit({ subject: runId, runId, type: 'approval.escalated', actor: 'handrail', details: { from: previous, to: approvalId, reviewers } });
    }
  }
  await updateRun(runId, { status: 'awaiting_approval', releaseId: state.run.releaseId }, { appendApprovalId: approvalId });
  // Reviewer links are minted on demand (GET /approvals/{id}). The step's channels (Slack, email,
  // Teams) come on top of the inbox and review page; notify never throws, so never fails the approval.
  const stored = step.channels.length ? await getApproval(approvalId) : undefined;
  if (stored) await notifyApprovalRequested(stored, step);
  logger.info('approval requested', { approvalId, reviewers, deadline });
  return { approvalId };
});
