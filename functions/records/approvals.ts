/**
 * Approval requests and decisions (the approvals table). A decision is one conditional update
 * from `pending`: whoever writes first wins, everyone else gets a ConflictError (HTTP 409).
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/aws-clients.js';
import { ENV } from '../shared/env-names.js';
import { requireEnv } from '../shared/env.js';
import { ConflictError } from '../shared/errors.js';
import type { DecisionAction, Passage } from '../shared/step-contract.js';
import { decodeCursor, encodeCursor, isConditionFailure } from './dynamo-helpers.js';

export type ApprovalStatus = 'pending' | 'approved' | 'edited' | 'rejected' | 'escalated' | 'expired';

export interface Decision {
  readonly action: DecisionAction;
  readonly reviewer: string;
  readonly channel: 'api' | 'review_link';
  readonly text?: string;
  readonly reason?: string;
  readonly decidedAt: string;
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
  readonly sources: Pick<Passage, 'n' | 'title' | 'docId' | 'version' | 'passageId' | 'text' | 'score'>[];
  readonly decision?: Decision;
  /** The text that will be delivered: the draft, or the reviewer's edit. */
  readonly finalText?: string;
  readonly closedReason?: string;
}

const table = () => requireEnv(ENV.approvalsTable);

export function approvalIdFor(runId: string, stepId: string, level: number): string {
  return `${runId}.${stepId}.${level}`;
}

/** Stores the request; a retried invocation with the same token is a no-op. */
export async function putApprovalRequest(approval: ApprovalRecord): Promise<'created' | 'exists'> {
  try {
    await documentClient().send(
      new PutCommand({
        TableName: table(),
        Item: approval,
        ConditionExpression: 'attribute_not_exists(approvalId) OR taskToken = :token',
        ExpressionAttributeValues: { ':token': approval.taskToken },
      }),
    );
    return 'created';
  } catch (err) {
    if (isConditionFailure(err)) return 'exists';
    throw err;
  }
}

export async function getApproval(approvalId: string): Promise<ApprovalRecord | undefined> {
  const out = await documentClient().send(new GetCommand({ TableName: table(), Key: { approvalId } }));
  return out.Item as ApprovalRecord | undefined;
}

/** Moves a pending approval to its decided status; throws ConflictError if it is not pending. */
export async function recordDecision(approvalId: string, decision: Decision, finalText?: string): Promise<ApprovalRecord> {
  const status: ApprovalStatus = decision.action === 'approve' ? 'approved' : decision.action === 'edit' ? 'edited' : 'rejected';
  try {
    const out = await documentClient().send(
      new UpdateCommand({
        TableName: table(),
        Key: { approvalId },
        UpdateExpression: 'SET #status = :status, #decision = :decision' + (finalText !== undefined ? ', finalText = :finalText' : ''),
        ConditionExpression: 'attribute_exists(approvalId) AND #status = :pending',
        ExpressionAttributeNames: { '#status': 'status', '#decision': 'decision' },
        ExpressionAttributeValues: { ':status': status, ':decision': decision, ':pending': 'pending', ...(finalText !== undefined ? { ':finalText': finalText } : {}) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return out.Attributes as ApprovalRecord;
  } catch (err) {
    if (isConditionFailure(err)) throw new ConflictError(`Approval ${approvalId} has already been decided or closed`);
    throw err;
  }
}

/** Closes a still-pending approval (escalated to the next level, or timed out). */
export async function closeApproval(approvalId: string, status: 'escalated' | 'expired', reason: string): Promise<boolean> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: table(),
        Key: { approvalId },
        UpdateExpression: 'SET #status = :status, closedReason = :reason',
        ConditionExpression: 'attribute_exists(approvalId) AND #status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': status, ':reason': reason, ':pending': 'pending' },
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
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
      ExclusiveStartKey: decodeCursor(filter.cursor),
    }),
  );
  return { approvals: (out.Items ?? []) as ApprovalRecord[], nextCursor: encodeCursor(out.LastEvaluatedKey) };
}

/** Undoes a decision whose run could not be resumed (only the decision with this timestamp). */
export async function reopenApproval(approvalId: string, decidedAt: string): Promise<void> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: table(),
        Key: { approvalId },
        UpdateExpression: 'SET #status = :pending REMOVE #decision, finalText',
        ConditionExpression: '#decision.decidedAt = :decidedAt',
        ExpressionAttributeNames: { '#status': 'status', '#decision': 'decision' },
        ExpressionAttributeValues: { ':pending': 'pending', ':decidedAt': decidedAt },
      }),
    );
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
  }
}
