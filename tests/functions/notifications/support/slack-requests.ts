/** Slack interaction requests as Slack sends them: form-encoded `payload=`, signed with v0. */
import { slackSignature } from '../../../../functions/notifications/slack-signature.js';

export type SignedRequest = { body: string; headers: Record<string, string> };

export function signedInteraction(payload: object, secret: string, timestamp = Math.floor(Date.now() / 1000)): SignedRequest {
  const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const ts = String(timestamp);
  return { body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': ts, 'x-slack-signature': slackSignature(secret, ts, body) } };
}

type Ref = { approvalId: string; draftHash: string };

/** A click on one of the request message's buttons. */
export function click(approval: Ref, user: string, action: 'handrail_approve' | 'handrail_edit' | 'handrail_reject') {
  return {
    type: 'block_actions',
    user: { id: user },
    trigger_id: `trigger-${action}-${approval.approvalId}`,
    actions: [{ action_id: action, value: JSON.stringify({ approvalId: approval.approvalId, draftHash: approval.draftHash }) }],
  };
}

/** A modal submission; string values are text inputs, objects are given as Slack reports them. */
export function submit(approval: Ref, user: string, callbackId: string, values: Record<string, unknown>) {
  return {
    type: 'view_submission',
    user: { id: user },
    view: {
      callback_id: callbackId,
      private_metadata: JSON.stringify({ approvalId: approval.approvalId, draftHash: approval.draftHash }),
      state: { values: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { [k]: typeof v === 'string' ? { type: 'plain_text_input', value: v } : v }])) },
    },
  };
}

export const selected = (value: string) => ({ type: 'static_select', selected_option: { value } });
