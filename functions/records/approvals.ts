/**
 * Approval requests and decisions (the approvals table). A decision is one conditional update
 * from `pending`: whoever writes first wins, everyone else gets a ConflictError (HTTP 409). The
 * same write records the intent to resume the run (`resumeState: 'pending'`, in the sparse index
 * `byResume`), so a decision whose SendTask* call is lost is still found and sent by the
 * reconciler (functions/approvals/reconcile-decisions.ts).
 */
import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/aws-clients.js';
import { ENV } from '../shared/env-names.js';
import { requireEnv } from '../shared/env.js';
import { ConflictError } from '../shared/errors.js';
import type { DecisionAction, Passage, Revision } from '../shared/step-contract.js';
import type { ApprovalAutonomy } from '../autonomy/types.js';
import { readItems } from './consistent-reads.js';
import { decodeCursor, encodeCursor } from './cursors.js';
import { isConditionFailure, scanAll, updateIf } from './dynamo-helpers.js';
import { redactTable, type ItemRedaction } from './erasure-writes.js';

export const APPROVAL_STATUSES = ['pending', 'approved', 'edited', 'rejected', 'escalated', 'expired', 'decided', 'auto_approved'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export type DecisionChannel = 'api' | 'review_link' | 'slack' | 'email' | 'teams' | 'autonomy' | 'replay';

/**
 * How the person deciding proved who they are: the signed review link alone or with a browser
 * session, an ID token or a personal token on the API, Slack's request signature. `signedIn`: by
 * the identity provider itself (what a sensitive step needs).
 */
export interface DecisionAuth {
  readonly method: 'review_link' | 'review_link+session' | 'id_token' | 'reviewer_token' | 'slack';
  readonly signedIn: boolean;
}

export interface Decision {
  readonly action: DecisionAction;
  readonly reviewer: string;
  readonly channel: DecisionChannel;
  readonly text?: string;
  /** A code from the approval's reason taxonomy, and free text. */
  readonly reasonCode?: string;
  readonly reason?: string;
  readonly decidedAt: string;
  /** For edits: a unified diff of draft → edit, and the character edit distance. */
  readonly diff?: string;
  readonly editDistance?: number;
}

/** One reviewer's approval towards a quorum (`requiredApprovals` > 1). */
export interface Vote {
  readonly reviewer: string;
  readonly channel: DecisionChannel;
  readonly decidedAt: string;
  readonly reason?: string;
}

/** One part of a multi-part approval. */
export interface ApprovalItem {
  readonly itemId: string;
  readonly title: string;
  readonly reviewers: string[];
  readonly draft: { text: string; provider: string; model: string; citations: number[] };
  readonly draftHash: string;
  readonly status: 'pending' | 'approved' | 'edited' | 'rejected';
  readonly decision?: Decision;
  readonly finalText?: string;
  /** The quality gates its draft failed (e.g. no passage supports it: missing information), for its reviewer and the document. */
  readonly qualityFailures?: { gate: string; detail: string }[];
}

export interface ApprovalRecord {
  readonly approvalId: string;
  readonly runId: string;
  readonly workflowId: string;
  readonly stepId: string;
  readonly level: number;
  readonly status: ApprovalStatus;
  readonly reviewers: string[];
  readonly taskToken: string;
  readonly requestedAt: string;
  readonly deadline: string;
  readonly input: Record<string, unknown>;
  readonly draft: { text: string; provider: string; model: string; citations: number[] };
  /** Hash of draft.text: a decision must quote it, so nobody approves a text they did not see. */
  readonly draftHash: string;
  readonly reasons: string[];
  readonly requiredApprovals: number;
  readonly allowSelfApproval: boolean;
  /** A sensitive step: deciding needs a sign-in with the identity provider, not only the link (decision-checks.ts). */
  readonly signIn?: 'required';
  /** Who requested the run (from the workflow's `requester` input field), if known. */
  readonly requester?: string;
  /** The release the run started on: what drafted the text under review. */
  readonly releaseId?: string;
  /** Reviewers who approved so far (quorum), in order. */
  readonly votes: Vote[];
  readonly voterIds: string[];
  /** Reminders (a scheduled sweep): how often, on which channels, and when the last one went out. */
  readonly reminderEverySeconds?: number;
  readonly channels?: ('slack' | 'email' | 'teams')[];
  readonly slackChannel?: string;
  readonly lastRemindedAt?: string;
  /** Quality gates that failed on the drafts of this run: why a human is looking (shown to the reviewer). */
  readonly qualityFailures?: { stepId: string; gate: string; detail: string }[];
  /** What the run's classifiers found (sentiment, topic, complexity, confidence), one line each. */
  readonly classification?: string[];
  /** Multi-part approvals: the parts, each decided on its own. */
  readonly items?: ApprovalItem[];
  readonly sources: Pick<Passage, 'n' | 'title' | 'docId' | 'version' | 'passageId' | 'text' | 'score'>[];
  /** A proposed knowledge edit: the document the draft is a new version of, and its current text (the review shows the diff). */
  readonly proposal?: Revision;
  readonly decision?: Decision;
  /** The text that will be delivered: the draft, or the reviewer's edit. */
  readonly finalText?: string;
  readonly closedReason?: string;
  /** `<workflowId>/<routeStepId>/<pathName>`: the route path the run reached this approval through. */
  readonly routeKey?: string;
  /** Why graduated autonomy did or did not approve this request, with the figures it judged by. */
  readonly autonomy?: ApprovalAutonomy;
  /** Slack messages that carry this request, so a decision can update them (chat.update). */
  readonly slackMessages?: SlackMessageRef[];
  /** Set with the final decision until the reconciler has made sure the run took it (sparse index `byResume`). */
  readonly resumeState?: typeof RESUME_PENDING;
  readonly resumeRequestedAt?: string;
  /** When DynamoDB deletes the request (TTL_ATTRIBUTE): its run's `retention.approvals` days after it was requested. */
  readonly expiresAt?: number;
}

/** The one value of `resumeState`: the decision is recorded, and the run may not have taken it yet. */
export const RESUME_PENDING = 'pending';
export const RESUME_INDEX = 'byResume';

export interface SlackMessageRef {
  readonly channel: string;
  readonly ts: string;
}

const table = () => requireEnv(ENV.approvalsTable);

/** How long a request waited for its decision, in milliseconds (the TimeToDecision metric, the route path's figures). */
export function timeToDecisionMs(requestedAt: string, decidedAt: string): number {
  return Math.max(0, Date.parse(decidedAt) - Date.parse(requestedAt));
}

export function approvalIdFor(runId: string, stepId: string, level: number): string {
  return `${runId}.${stepId}.${level}`;
}

/** Stores the request unless it exists (a retried invocation never overwrites a decision). */
export async function putApprovalRequest(approval: ApprovalRecord): Promise<'created' | 'exists'> {
  try {
    await documentClient().send(new PutCommand({ TableName: table(), Item: approval, ConditionExpression: 'attribute_not_exists(approvalId)' }));
    return 'created';
  } catch (err) {
    if (isConditionFailure(err)) return 'exists';
    throw err;
  }
}

/**
 * An approval, strongly consistent (a decision made a moment ago elsewhere is seen, as the deliver
 * step needs before it sends the decided text), read in a BatchGetItem that concurrent reads share
 * (consistent-reads.ts): a reviewer's view, a decision and a step's read-back of many runs at once
 * cost one request per round trip.
 */
export async function getApproval(approvalId: string): Promise<ApprovalRecord | undefined> {
  // The table also holds each route path's autonomy figures (functions/autonomy/stats-store.ts).
  if (approvalId.startsWith('autonomy#')) return undefined;
  const [item] = await readItems(table(), ['approvalId'], [{ approvalId }]);
  return item as ApprovalRecord | undefined;
}

/** Moves a pending approval to its decided status; throws ConflictError if it is not pending. */
export async function recordDecision(approvalId: string, decision: Decision, finalText: string | undefined, expectedDraftHash: string, quorum?: { vote: Vote; priorVotes: number }): Promise<ApprovalRecord> {
  const vote = quorum?.vote;
  const status: ApprovalStatus = decision.action === 'approve' ? 'approved' : decision.action === 'edit' ? 'edited' : 'rejected';
  try {
    const out = await documentClient().send(
      new UpdateCommand({
        TableName: table(),
        Key: { approvalId },
        UpdateExpression:
          'SET #status = :status, #decision = :decision, resumeState = :resume, resumeRequestedAt = :decidedAt' +
          (finalText !== undefined ? ', finalText = :finalText' : '') +
          (vote ? ', votes = list_append(votes, :vote), voterIds = list_append(voterIds, :voter)' : ''),
        ConditionExpression:
          'attribute_exists(approvalId) AND #status = :pending AND draftHash = :hash' +
          (vote ? ' AND size(voterIds) = :priorVotes AND NOT contains(voterIds, :reviewer)' : ''),
        ExpressionAttributeNames: { '#status': 'status', '#decision': 'decision' },
        ExpressionAttributeValues: {
          ':status': status,
          ':decision': decision,
          ':pending': 'pending',
          ':hash': expectedDraftHash,
          ':resume': RESUME_PENDING,
          ':decidedAt': decision.decidedAt,
          ...(finalText !== undefined ? { ':finalText': finalText } : {}),
          ...(vote ? { ':vote': [vote], ':voter': [vote.reviewer], ':reviewer': vote.reviewer, ':priorVotes': quorum!.priorVotes } : {}),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return out.Attributes as ApprovalRecord;
  } catch (err) {
    if (isConditionFailure(err)) throw new ConflictError(`Approval ${approvalId} has already been decided or closed`);
    throw err;
  }
}

/**
 * Adds one reviewer's approval towards the quorum without closing the request. `priorVotes` is
 * how many votes the caller saw: a concurrent vote makes the write fail, and the caller re-reads.
 */
export async function addVote(approvalId: string, vote: Vote, priorVotes: number, expectedDraftHash: string): Promise<ApprovalRecord> {
  try {
    const out = await documentClient().send(
      new UpdateCommand({
        TableName: table(),
        Key: { approvalId },
        UpdateExpression: 'SET votes = list_append(votes, :vote), voterIds = list_append(voterIds, :voter)',
        ConditionExpression: '#status = :pending AND draftHash = :hash AND size(voterIds) = :prior AND NOT contains(voterIds, :reviewer)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':vote': [vote], ':voter': [vote.reviewer], ':reviewer': vote.reviewer, ':prior': priorVotes, ':pending': 'pending', ':hash': expectedDraftHash },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return out.Attributes as ApprovalRecord;
  } catch (err) {
    if (isConditionFailure(err)) throw new ConflictError(`Approval ${approvalId} changed while this approval was being recorded`);
    throw err;
  }
}

/** Closes a still-pending approval (escalated to the next level, or timed out). */
export async function closeApproval(approvalId: string, status: 'escalated' | 'expired', reason: string): Promise<boolean> {
  return updateIf({
    TableName: table(),
    Key: { approvalId },
    UpdateExpression: 'SET #status = :status, closedReason = :reason',
    ConditionExpression: 'attribute_exists(approvalId) AND #status = :pending',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':status': status, ':reason': reason, ':pending': 'pending' },
  });
}

/**
 * Closes a request whose last level timed out: a pending one, and also one whose decision was
 * recorded but never reached the run (its wait timed out first). Returns the status it had, or
 * undefined when it was already closed or its decision had been applied.
 */
export async function expireAtFinalTimeout(approvalId: string, reason: string): Promise<ApprovalStatus | undefined> {
  try {
    const out = await documentClient().send(
      new UpdateCommand({
        TableName: table(),
        Key: { approvalId },
        UpdateExpression: 'SET #status = :expired, closedReason = :reason REMOVE resumeState, resumeRequestedAt',
        ConditionExpression: 'attribute_exists(approvalId) AND (#status = :pending OR attribute_exists(resumeState))',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':expired': 'expired', ':reason': reason, ':pending': 'pending' },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return (out.Attributes as ApprovalRecord | undefined)?.status;
  } catch (err) {
    if (isConditionFailure(err)) return undefined;
    throw err;
  }
}

/** Approvals in one status, oldest first (GSI byStatus). */
export async function listApprovals(filter: { status: ApprovalStatus; limit: number; cursor?: string }) {
  const out = await documentClient().send(
    new QueryCommand({
      TableName: table(),
      IndexName: 'byStatus',
      KeyConditionExpression: '#status = :status',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': filter.status },
      Limit: filter.limit,
      ExclusiveStartKey: await decodeCursor(filter.cursor, `approvals:byStatus:${filter.status}`),
    }),
  );
  return { approvals: (out.Items ?? []) as ApprovalRecord[], nextCursor: await encodeCursor(out.LastEvaluatedKey, `approvals:byStatus:${filter.status}`) };
}

/**
 * A decision that arrived after its wait had closed (timed out): the request is closed as expired
 * and the decision (with its quorum vote) undone, in one write, only if it is still this decision.
 */
export async function expireLateDecision(approvalId: string, decidedAt: string, finalVoteIndex?: number): Promise<boolean> {
  return updateIf({
    TableName: table(),
    Key: { approvalId },
    UpdateExpression:
      'SET #status = :expired, closedReason = :reason REMOVE #decision, finalText, resumeState, resumeRequestedAt' +
      (finalVoteIndex !== undefined ? `, votes[${finalVoteIndex}], voterIds[${finalVoteIndex}]` : ''),
    ConditionExpression: '#decision.decidedAt = :decidedAt',
    ExpressionAttributeNames: { '#status': 'status', '#decision': 'decision' },
    ExpressionAttributeValues: { ':expired': 'expired', ':reason': 'the decision arrived after the approval had timed out', ':decidedAt': decidedAt },
  });
}

/**
 * One page of the decided approvals whose run may not have taken the decision yet, decided before
 * `before`, oldest first; pass `next` back for the following page (it stays valid while items leave the index).
 */
export async function pendingResumesPage(before: string, limit: number, start?: Record<string, unknown>): Promise<{ approvals: ApprovalRecord[]; next?: Record<string, unknown> }> {
  const out = await documentClient().send(
    new QueryCommand({
      TableName: table(),
      IndexName: RESUME_INDEX,
      KeyConditionExpression: 'resumeState = :pending AND resumeRequestedAt < :before',
      ExpressionAttributeValues: { ':pending': RESUME_PENDING, ':before': before },
      Limit: limit,
      ExclusiveStartKey: start,
    }),
  );
  return { approvals: (out.Items ?? []) as ApprovalRecord[], next: out.LastEvaluatedKey };
}

/** The run took the decision (or never will): the approval leaves the reconciler's index. */
export async function clearPendingResume(approvalId: string, requestedAt: string, expire?: string): Promise<boolean> {
  return updateIf({
    TableName: table(),
    Key: { approvalId },
    UpdateExpression: `REMOVE resumeState, resumeRequestedAt${expire ? ' SET #status = :expired, closedReason = :reason' : ''}`,
    ConditionExpression: 'resumeRequestedAt = :at',
    ...(expire ? { ExpressionAttributeNames: { '#status': 'status' } } : {}),
    ExpressionAttributeValues: { ':at': requestedAt, ...(expire ? { ':expired': 'expired', ':reason': expire } : {}) },
  });
}

/**
 * A retried invocation of the approval state (a Lambda retry on AWS, the local engine after a
 * restart) waits on a new task token: the stored request must carry the token the state waits on.
 * Returns the request as it is now (a decision may have landed meanwhile), or undefined when the
 * token changed since it was read.
 */
export async function replaceTaskToken(approvalId: string, previous: string, token: string): Promise<ApprovalRecord | undefined> {
  try {
    const out = await documentClient().send(
      new UpdateCommand({
        TableName: table(),
        Key: { approvalId },
        UpdateExpression: 'SET taskToken = :token',
        ConditionExpression: 'taskToken = :previous',
        ExpressionAttributeValues: { ':token': token, ':previous': previous },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return out.Attributes as ApprovalRecord;
  } catch (err) {
    if (isConditionFailure(err)) return undefined;
    throw err;
  }
}

/** Remembers where the request was posted in Slack (appended: a retried post adds, never loses). */
export async function rememberSlackMessages(approvalId: string, messages: SlackMessageRef[]): Promise<void> {
  if (!messages.length) return;
  await documentClient().send(
    new UpdateCommand({
      TableName: table(),
      Key: { approvalId },
      UpdateExpression: 'SET slackMessages = list_append(if_not_exists(slackMessages, :none), :messages)',
      ConditionExpression: 'attribute_exists(approvalId)',
      ExpressionAttributeValues: { ':none': [], ':messages': messages },
    }),
  );
}

/** Claims the next reminder: succeeds only if nobody reminded since `previous` was read. */
export async function claimReminder(approvalId: string, previous: string | undefined, at: string): Promise<boolean> {
  return updateIf({
    TableName: table(),
    Key: { approvalId },
    UpdateExpression: 'SET lastRemindedAt = :at',
    ConditionExpression: `#status = :pending AND ${previous ? 'lastRemindedAt = :previous' : 'attribute_not_exists(lastRemindedAt)'}`,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':at': at, ':pending': 'pending', ...(previous ? { ':previous': previous } : {}) },
  });
}

/** People's decisions on the drafts of a release (a scan: for the local rollout monitor, while a release bakes). */
export function decisionsOfRelease(releaseId: string): Promise<{ runId: string; status: 'approved' | 'edited' | 'rejected' }[]> {
  return scanAll({
    TableName: table(),
    FilterExpression: 'releaseId = :release AND #status IN (:approved, :edited, :rejected)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':release': releaseId, ':approved': 'approved', ':edited': 'edited', ':rejected': 'rejected' },
    ProjectionExpression: 'runId, #status',
  });
}

/** Erases a person's data from every approval (functions/erasure/): `redacted` hears of each one changed. */
export function redactApprovals(redact: ItemRedaction, redacted: (item: Record<string, unknown>, pointers: string[]) => void): Promise<void> {
  return redactTable(table(), ['approvalId'], redact, redacted);
}
