/**
 * What a verified Slack interaction does. Approve decides at once; Edit and Reject open a modal
 * whose submission decides. The Slack user becomes a reviewer id only through the directory
 * (`slackUserId`); decide() then applies every server-side check it applies to any channel.
 */
import * as z from 'zod';
import { reviewerBySlackUser } from '../../state-machines/directory.js';
import { decide, decisionSchema, type DecisionInput } from '../approvals/decide.js';
import { directory } from '../approvals/directory.js';
import { reviewLinksFor } from '../approvals/review-links.js';
import { getApproval, type ApprovalRecord } from '../records/approvals.js';
import { recordAudit } from '../records/audit.js';
import { isUserDisabled } from '../records/disabled-users.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.js';
import { logger } from '../shared/logger.js';
import { channelSecrets } from './channel-config.js';
import { SLACK_ACTIONS } from './slack-blocks.js';
import { asView, slackClient } from './slack-client.js';
import { editModal, FIELDS, rejectModal, SLACK_VIEWS } from './slack-modals.js';
import { blockActionsSchema, fieldValue, interactionTypeSchema, parseButtonValue, viewSubmissionSchema, type ApprovalRef, type BlockActions, type ViewSubmission } from './slack-payload.js';

/** Slack's signature proves the workspace, and the directory maps its user: not a sign-in with the identity provider. */
const SLACK_AUTH = { method: 'slack', signedIn: false } as const;

/** `undefined`: acknowledge with an empty 200; an object: the JSON body Slack reads (modal errors). */
export type SlackReply = Record<string, unknown> | undefined;

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new ValidationError(`payload.${issue.path.join('.')}: ${issue.message}`, `payload.${issue.path.join('.')}`);
}

async function refuse(approval: ApprovalRecord, actor: string, reason: string, message: string): Promise<never> {
  await recordAudit({ subject: approval.runId, runId: approval.runId, type: 'approval.decision_refused', actor, details: { approvalId: approval.approvalId, channel: 'slack', reason } });
  throw new ForbiddenError(message);
}

async function approvalOf(ref: ApprovalRef): Promise<ApprovalRecord> {
  const approval = await getApproval(ref.approvalId);
  if (!approval) throw new NotFoundError(`No approval ${ref.approvalId}`);
  return approval;
}

/**
 * The reviewer behind a Slack user; an unknown or disabled user is refused, and the attempt
 * audited. Here, where Slack's signature authenticates the click, as the API's authorizer does
 * for a token or a link (a Slack click carries neither).
 */
async function reviewerFor(slackUserId: string, approval: ApprovalRecord): Promise<string> {
  const reviewer = reviewerBySlackUser(directory(), slackUserId);
  if (!reviewer) return refuse(approval, `slack:${slackUserId}`, 'unknown_slack_user', `Slack user ${slackUserId} is not in the reviewer directory`);
  if (await isUserDisabled(reviewer)) return refuse(approval, reviewer, 'account_disabled', `The account ${reviewer} is disabled; it cannot decide`);
  return reviewer;
}

/**
 * Opens the Edit or Reject modal. When Slack cannot show it (no bot token here, or Slack refused
 * the call), the interaction is still acknowledged with 200 and a message saying where to decide
 * instead: the failure is ours to fix, not the reviewer's, and the approval is untouched.
 */
async function openModal(payload: BlockActions, approval: ApprovalRecord, reviewer: string, kind: 'edit' | 'reject'): Promise<SlackReply> {
  // decide() checks this on submission too; checking now spares a non-reviewer a useless form.
  if (!approval.reviewers.includes(reviewer)) await refuse(approval, reviewer, 'not_a_reviewer', `${reviewer} is not a reviewer of this approval`);
  if (approval.status !== 'pending') throw new ConflictError(`Approval ${approval.approvalId} is already ${approval.status}`);
  if (!payload.trigger_id) throw new ValidationError('payload.trigger_id: needed to open a modal', 'payload.trigger_id');
  const token = (await channelSecrets()).slackBotToken;
  if (!token) return modalUnavailable(approval, kind, 'Slack is not fully configured here (no bot token)');
  const view = kind === 'edit' ? editModal(approval, (await reviewLinksFor({ ...approval, reviewers: [reviewer] }))[reviewer]!) : rejectModal(approval);
  try {
    await slackClient(token).views.open({ trigger_id: payload.trigger_id, view: asView(view) });
  } catch (err) {
    return modalUnavailable(approval, kind, `Slack did not open the form (${(err as Error).message})`);
  }
  return undefined;
}

function modalUnavailable(approval: ApprovalRecord, kind: 'edit' | 'reject', why: string): SlackReply {
  logger.warn('Slack modal not opened', { approvalId: approval.approvalId, kind, reason: why });
  return { ok: false, error: 'modal_unavailable', message: `${why}: use the review link from the request to ${kind} this draft. Nothing was decided.` };
}

async function onBlockActions(payload: BlockActions): Promise<SlackReply> {
  const action = payload.actions[0]!;
  const kind = (Object.entries(SLACK_ACTIONS).find(([, id]) => id === action.action_id)?.[0] ?? 'other') as keyof typeof SLACK_ACTIONS | 'other';
  if (kind === 'open' || kind === 'other') return undefined; // a link button, or not ours: nothing to do
  const ref = parseButtonValue(action.value);
  if (!ref) throw new ValidationError('payload.actions.0.value: not a Handrail approval reference', 'payload.actions.0.value');
  const approval = await approvalOf(ref);
  const reviewer = await reviewerFor(payload.user.id, approval);
  // Messages posted before the step was marked sensitive still carry buttons: they decide nothing.
  if (approval.signIn === 'required') return refuse(approval, reviewer, 'sign_in_required', 'This step needs a sign-in: open your review page and decide there, signed in. Nothing was decided.');
  if (kind === 'approve') {
    await decide(ref.approvalId, { action: 'approve', reviewer, draftHash: ref.draftHash }, 'slack', SLACK_AUTH);
    return undefined;
  }
  return openModal(payload, approval, reviewer, kind);
}

const BLOCK_OF_FIELD: Record<string, string> = { text: FIELDS.text, reasonCode: FIELDS.reasonCode, reason: FIELDS.reason };

async function onViewSubmission(payload: ViewSubmission): Promise<SlackReply> {
  const { view } = payload;
  const kind = view.callback_id === SLACK_VIEWS.edit ? 'edit' : view.callback_id === SLACK_VIEWS.reject ? 'reject' : undefined;
  if (!kind) return undefined;
  const ref = view.private_metadata;
  const approval = await approvalOf(ref);
  const reviewer = await reviewerFor(payload.user.id, approval);
  const text = fieldValue(view, FIELDS.text);
  // "Send my edit" with the text unchanged approves the draft as it stands (as on the review page).
  const action = kind === 'edit' && text?.trim() === approval.draft.text.trim() ? 'approve' : kind;
  const candidate = {
    action,
    reviewer,
    draftHash: ref.draftHash,
    ...(action === 'edit' ? { text } : {}),
    ...(action !== 'approve' ? { reasonCode: fieldValue(view, FIELDS.reasonCode), reason: fieldValue(view, FIELDS.reason) } : {}),
  };
  try {
    const parsed = decisionSchema.safeParse(candidate);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ValidationError(issue.message, String(issue.path[0] ?? 'text'));
    }
    await decide(ref.approvalId, parsed.data as DecisionInput, 'slack', SLACK_AUTH);
    return undefined; // an empty 200 closes the modal
  } catch (err) {
    // Slack shows these under the field in the still-open modal; 403s stay HTTP errors.
    if (err instanceof ValidationError || err instanceof ConflictError) {
      const block = err instanceof ValidationError ? (BLOCK_OF_FIELD[err.field ?? ''] ?? FIELDS.reasonCode) : kind === 'edit' ? FIELDS.text : FIELDS.reasonCode;
      return { response_action: 'errors', errors: { [block]: err.message.slice(0, 300) } };
    }
    throw err;
  }
}

export async function handleSlackInteraction(raw: unknown): Promise<SlackReply> {
  const { type } = parse(interactionTypeSchema, raw);
  if (type === 'block_actions') return onBlockActions(parse(blockActionsSchema, raw));
  if (type === 'view_submission') return onViewSubmission(parse(viewSubmissionSchema, raw));
  return undefined;
}
