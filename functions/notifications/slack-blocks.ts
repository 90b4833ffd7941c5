/**
 * Block Kit for approval requests: the message with Approve / Edit / Reject, and the message it
 * becomes once decided. Pure builders (no I/O) so the payloads are unit-tested as Slack sees them.
 * Block Kit limits (header 150, section 3000, button value 2000) are enforced here, not by Slack.
 */
import type { ApprovalRecord } from '../records/approvals.js';
import { requestContent, truncate, type RequestFacts } from './request-content.js';

export const SLACK_ACTIONS = { approve: 'handrail_approve', edit: 'handrail_edit', reject: 'handrail_reject', open: 'handrail_open' } as const;

export type SlackBlock = Record<string, unknown>;

/** Slack mrkdwn treats &, < and > as markup (mentions, links): request text must not become markup. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const plain = (text: string, max: number) => ({ type: 'plain_text', text: truncate(text, max, '…'), emoji: true });
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text: truncate(text, 3000) });

/** A time every reader sees in their own time zone, with the ISO time as fallback. */
export function slackDate(iso: string): string {
  return `<!date^${Math.floor(Date.parse(iso) / 1000)}^{date_short_pretty} {time}|${iso}>`;
}

/** What a button carries back: enough to decide without trusting anything else in the payload. */
export function buttonValue(approval: Pick<ApprovalRecord, 'approvalId' | 'draftHash'>): string {
  return JSON.stringify({ approvalId: approval.approvalId, draftHash: approval.draftHash });
}

function summaryBlocks(approval: RequestFacts, title: string, text: string): SlackBlock[] {
  const content = requestContent(approval);
  const blocks: SlackBlock[] = [{ type: 'header', text: plain(title, 150) }];
  if (content.input.length) {
    blocks.push({ type: 'section', fields: content.input.slice(0, 10).map((i) => mrkdwn(`*${escapeMrkdwn(i.field)}*\n${escapeMrkdwn(i.value)}`)) });
  }
  blocks.push({ type: 'section', text: mrkdwn(`*${content.parts.length ? 'Parts' : 'Draft'}*\n${escapeMrkdwn(content.parts.length ? content.parts.map((p) => `• ${p}`).join('\n') : text)}`) });
  if (content.sources.length) {
    const list = content.sources.map((s) => `[${s.n}] ${escapeMrkdwn(s.title)} (${escapeMrkdwn(s.ref)})`).join(' · ');
    blocks.push({ type: 'context', elements: [mrkdwn(`Sources: ${list}`)] });
  }
  return blocks;
}

/** The request as posted: `reviewLink` (DMs only: it is bound to that reviewer) adds a button. */
export function requestMessage(approval: RequestFacts & Pick<ApprovalRecord, 'draftHash' | 'signIn'>, reviewLink?: string): { text: string; blocks: SlackBlock[] } {
  const content = requestContent(approval);
  const blocks = summaryBlocks(approval, content.title, content.draft);
  blocks.push({ type: 'context', elements: [mrkdwn(`Decide by ${slackDate(content.deadline)} · run \`${approval.runId}\``)] });
  const open = reviewLink ? [{ type: 'button', action_id: SLACK_ACTIONS.open, text: plain('Open review page', 75), url: reviewLink }] : [];
  const value = buttonValue(approval);
  // Multi-part approvals are decided part by part on the review page; one Approve cannot say which.
  // A sensitive step is decided signed in, on the review page: a button press proves no sign-in.
  if (approval.signIn === 'required') blocks.push({ type: 'context', elements: [mrkdwn(':lock: This step needs a sign-in: decide on your review page (the link in your request email, or GET /approvals/{id}).')] });
  const decide = content.parts.length || approval.signIn === 'required'
    ? []
    : [
        { type: 'button', action_id: SLACK_ACTIONS.approve, style: 'primary', text: plain('Approve', 75), value },
        { type: 'button', action_id: SLACK_ACTIONS.edit, text: plain('Edit', 75), value },
        { type: 'button', action_id: SLACK_ACTIONS.reject, style: 'danger', text: plain('Reject', 75), value },
      ];
  if (decide.length || open.length) blocks.push({ type: 'actions', block_id: 'handrail_decision', elements: [...decide, ...open] });
  return { text: content.title, blocks };
}

const VERBS: Record<string, string> = { approved: '✅ Approved', edited: '✏️ Edited and approved', rejected: '❌ Rejected', escalated: '⏫ Escalated', expired: '⌛ Expired' };

/** The request once decided: who decided what, when; no buttons left to press. */
export function decidedMessage(approval: ApprovalRecord, deciderName: string): { text: string; blocks: SlackBlock[] } {
  const verb = VERBS[approval.status] ?? approval.status;
  const d = approval.decision;
  const who = d ? ` by ${escapeMrkdwn(deciderName)} (via ${d.channel}) ${slackDate(d.decidedAt)}` : approval.closedReason ? `: ${escapeMrkdwn(approval.closedReason)}` : '';
  const reason = d?.reasonCode ? ` · reason: ${escapeMrkdwn(d.reasonCode)}${d.reason ? `, “${escapeMrkdwn(d.reason)}”` : ''}` : '';
  const title = `${verb}: ${approval.workflowId} / ${approval.stepId}`;
  const blocks = summaryBlocks(approval, title, approval.finalText ?? approval.draft.text);
  blocks.push({ type: 'context', elements: [mrkdwn(`*${verb}*${who}${reason} · run \`${approval.runId}\``)] });
  return { text: `${verb}${d ? ` by ${deciderName}` : ''}: ${approval.workflowId} / ${approval.stepId}`, blocks };
}
