/**
 * The Edit and Reject modals (views.open). The approval id and draft hash travel in
 * `private_metadata` so the submission decides on exactly the draft the reviewer saw; the
 * reason select offers the approval's own taxonomy, because decide() refuses any other code.
 */
import type { ApprovalRecord } from '../records/approvals.js';

export const SLACK_VIEWS = { edit: 'handrail_edit', reject: 'handrail_reject' } as const;
export const FIELDS = { text: 'text', reasonCode: 'reason_code', reason: 'reason' } as const;
/** plain_text_input holds at most 3000 characters; longer drafts are edited on the review page. */
export const SLACK_INPUT_MAX = 3000;

type ModalApproval = Pick<ApprovalRecord, 'approvalId' | 'draftHash' | 'reasons' | 'workflowId' | 'stepId'> & { draft: { text: string } };

const plain = (text: string) => ({ type: 'plain_text', text: text.slice(0, 75), emoji: true });

function input(blockId: string, label: string, element: Record<string, unknown>, optional = false) {
  return { type: 'input', block_id: blockId, label: plain(label), optional, element: { action_id: blockId, ...element } };
}

function reasonBlocks(reasons: string[]) {
  return [
    input(FIELDS.reasonCode, 'Reason', {
      type: 'static_select',
      placeholder: plain('Choose a reason'),
      options: reasons.map((r) => ({ text: plain(r.replace(/_/g, ' ')), value: r })),
    }),
    input(FIELDS.reason, 'Note', { type: 'plain_text_input', multiline: true, max_length: 2000 }, true),
  ];
}

function modal(callbackId: string, title: string, submit: string | undefined, approval: ModalApproval, blocks: unknown[]) {
  return {
    type: 'modal',
    callback_id: callbackId,
    private_metadata: JSON.stringify({ approvalId: approval.approvalId, draftHash: approval.draftHash }),
    title: plain(title.slice(0, 24)),
    ...(submit ? { submit: plain(submit) } : {}),
    close: plain('Cancel'),
    blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text: `${approval.workflowId} / ${approval.stepId}` }] }, ...blocks],
  };
}

/** The edit modal, prefilled with the draft; a draft too long for Slack gets the review link instead. */
export function editModal(approval: ModalApproval, reviewLink: string) {
  if (approval.draft.text.length > SLACK_INPUT_MAX) {
    return modal(SLACK_VIEWS.edit, 'Edit the draft', undefined, approval, [
      { type: 'section', text: { type: 'mrkdwn', text: `This draft is longer than Slack can edit (${SLACK_INPUT_MAX} characters). <${reviewLink}|Edit it on the review page>.` } },
    ]);
  }
  return modal(SLACK_VIEWS.edit, 'Edit the draft', 'Send my edit', approval, [
    input(FIELDS.text, 'Reply', { type: 'plain_text_input', multiline: true, initial_value: approval.draft.text, max_length: SLACK_INPUT_MAX }),
    ...reasonBlocks(approval.reasons),
  ]);
}

export function rejectModal(approval: ModalApproval) {
  return modal(SLACK_VIEWS.reject, 'Reject the draft', 'Reject', approval, reasonBlocks(approval.reasons));
}
