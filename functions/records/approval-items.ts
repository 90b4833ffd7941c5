/** Item decisions of multi-part approvals: one conditional update per item, then one to close. */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/aws-clients.js';
import { ENV } from '../shared/env-names.js';
import { requireEnv } from '../shared/env.js';
import { ConflictError } from '../shared/errors.js';
import { RESUME_PENDING, type ApprovalItem, type ApprovalRecord, type Decision } from './approvals.js';
import { isConditionFailure, updateIf } from './dynamo-helpers.js';

const table = () => requireEnv(ENV.approvalsTable);

/** Decides item `index` if it is still pending with the draft the reviewer saw. */
export async function recordItemDecision(approvalId: string, index: number, decision: Decision, finalText: string | undefined, expectedDraftHash: string): Promise<ApprovalRecord> {
  const status: ApprovalItem['status'] = decision.action === 'approve' ? 'approved' : decision.action === 'edit' ? 'edited' : 'rejected';
  try {
    const out = await documentClient().send(
      new UpdateCommand({
        TableName: table(),
        Key: { approvalId },
        UpdateExpression: `SET #items[${index}].#status = :status, #items[${index}].#decision = :decision${finalText !== undefined ? `, #items[${index}].finalText = :text` : ''}`,
        ConditionExpression: `#status = :pending AND #items[${index}].#status = :pending AND #items[${index}].draftHash = :hash`,
        ExpressionAttributeNames: { '#status': 'status', '#decision': 'decision', '#items': 'items' },
        ExpressionAttributeValues: { ':status': status, ':decision': decision, ':pending': 'pending', ':hash': expectedDraftHash, ...(finalText !== undefined ? { ':text': finalText } : {}) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return out.Attributes as ApprovalRecord;
  } catch (err) {
    if (isConditionFailure(err)) throw new ConflictError(`This part of approval ${approvalId} has already been decided, or its draft changed`);
    throw err;
  }
}

/** Closes a multi-part approval once every item is decided, recording the intent to resume; only one caller wins. */
export async function closeDecidedApproval(approvalId: string, finalText: string, decidedAt: string): Promise<boolean> {
  return updateIf({
    TableName: table(),
    Key: { approvalId },
    UpdateExpression: 'SET #status = :decided, finalText = :text, resumeState = :resume, resumeRequestedAt = :at',
    ConditionExpression: '#status = :pending',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':decided': 'decided', ':pending': 'pending', ':text': finalText, ':resume': RESUME_PENDING, ':at': decidedAt },
  });
}
