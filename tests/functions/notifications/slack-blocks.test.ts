import { describe, expect, it } from 'vitest';
import { buttonValue, decidedMessage, escapeMrkdwn, requestMessage, SLACK_ACTIONS } from '../../../functions/notifications/slack-blocks.js';
import { editModal, rejectModal, SLACK_INPUT_MAX } from '../../../functions/notifications/slack-modals.js';
import { blockActionsSchema, fieldValue, parseButtonValue, viewSubmissionSchema } from '../../../functions/notifications/slack-payload.js';
import { sampleApproval } from './fixtures.js';

const json = (v: unknown) => JSON.stringify(v);

describe('the Slack request message', () => {
  const approval = sampleApproval();

  it('shows the workflow and step, the input, the draft, the cited sources and the deadline', () => {
    const { text, blocks } = requestMessage(approval);
    expect(text).toBe('Approval needed: channels-demo / review');
    expect(blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text', text: 'Approval needed: channels-demo / review' } });
    expect(json(blocks)).toContain('*subject*');
    expect(json(blocks)).toContain('Hi, refunds take 5 days [1].');
    expect(json(blocks)).toContain('[1] Refunds (refunds v2)');
    expect(json(blocks)).not.toContain('Shipping'); // not cited
    expect(json(blocks)).toContain('<!date^1767348000^{date_short_pretty} {time}|2026-01-02T10:00:00.000Z>');
  });

  it('escapes request text so it cannot mention or link (<@U123>, &)', () => {
    expect(escapeMrkdwn('<@U123> & <https://x|y>')).toBe('&lt;@U123&gt; &amp; &lt;https://x|y&gt;');
    expect(json(requestMessage(approval).blocks)).toContain('Refund &lt;@U123&gt; &amp; more');
  });

  it('has Approve / Edit / Reject buttons carrying the approval id and draft hash', () => {
    const actions = requestMessage(approval).blocks.find((b) => b.type === 'actions') as { elements: any[] };
    expect(actions.elements.map((e) => e.action_id)).toEqual([SLACK_ACTIONS.approve, SLACK_ACTIONS.edit, SLACK_ACTIONS.reject]);
    expect(actions.elements[0]).toMatchObject({ style: 'primary', text: { text: 'Approve' } });
    expect(actions.elements[2]).toMatchObject({ style: 'danger' });
    for (const e of actions.elements) expect(parseButtonValue(e.value)).toEqual({ approvalId: approval.approvalId, draftHash: approval.draftHash });
  });

  it('adds the reviewer’s own review link only when given (DMs), never the task token', () => {
    const dm = requestMessage(approval, 'http://localhost:3000/review/abc');
    const actions = dm.blocks.find((b) => b.type === 'actions') as { elements: any[] };
    expect(actions.elements.at(-1)).toMatchObject({ action_id: SLACK_ACTIONS.open, url: 'http://localhost:3000/review/abc' });
    expect(json(dm)).not.toContain('token-secret');
  });

  it('stays within Block Kit limits for a long draft', () => {
    const long = requestMessage(sampleApproval({ draft: { ...approval.draft, text: 'x'.repeat(10_000) } }));
    for (const b of long.blocks) if (b.type === 'section' && b.text) expect((b.text as { text: string }).text.length).toBeLessThanOrEqual(3000);
    expect(json(long)).toContain('truncated: open the review page');
    expect(buttonValue(approval).length).toBeLessThan(2000);
  });

  it('offers no decision buttons for a multi-part approval (decided part by part on the page)', () => {
    const parts = requestMessage(sampleApproval({ items: [{ itemId: 'a', title: 'Pricing', reviewers: [], draft: approval.draft, draftHash: approval.draftHash, status: 'pending' }] }));
    expect(json(parts)).toContain('Pricing');
    expect(parts.blocks.some((b) => b.type === 'actions')).toBe(false);
  });
});

describe('the decided message', () => {
  it('says who decided what and when, with the reason, and has no buttons', () => {
    const decided = sampleApproval({
      status: 'edited',
      finalText: 'Hi Pat, refunded.',
      decision: { action: 'edit', reviewer: 'support-agent@example.com', channel: 'slack', decidedAt: '2026-01-01T11:00:00.000Z', reasonCode: 'tone', reason: 'warmer' },
    });
    const { text, blocks } = decidedMessage(decided, 'Sam Agent');
    expect(text).toBe('✏️ Edited and approved by Sam Agent: channels-demo / review');
    expect(json(blocks)).toContain('by Sam Agent (via slack) <!date^1767265200');
    expect(json(blocks)).toContain('reason: tone');
    expect(json(blocks)).toContain('Hi Pat, refunded.');
    expect(blocks.some((b) => b.type === 'actions')).toBe(false);
  });

  it('says when a request escalated', () => {
    const { text } = decidedMessage(sampleApproval({ status: 'escalated', closedReason: 'no decision in time' }), '');
    expect(text).toBe('⏫ Escalated: channels-demo / review');
  });
});

describe('the Slack modals', () => {
  const approval = sampleApproval();

  it('edit: prefilled with the draft, reasons from the approval, approval ref in private_metadata', () => {
    const view = editModal(approval, 'http://x/review/t') as any;
    expect(view).toMatchObject({ type: 'modal', callback_id: 'handrail_edit', submit: { text: 'Send my edit' } });
    expect(JSON.parse(view.private_metadata)).toEqual({ approvalId: approval.approvalId, draftHash: approval.draftHash });
    const text = view.blocks.find((b: any) => b.block_id === 'text');
    expect(text.element).toMatchObject({ type: 'plain_text_input', action_id: 'text', multiline: true, initial_value: approval.draft.text });
    const reason = view.blocks.find((b: any) => b.block_id === 'reason_code');
    expect(reason.element.options.map((o: any) => o.value)).toEqual(['tone', 'policy']);
    expect(view.title.text.length).toBeLessThanOrEqual(24);
  });

  it('edit: a draft longer than Slack allows links to the review page instead', () => {
    const view = editModal(sampleApproval({ draft: { ...approval.draft, text: 'y'.repeat(SLACK_INPUT_MAX + 1) } }), 'http://x/review/t') as any;
    expect(view.submit).toBeUndefined();
    expect(json(view)).toContain('<http://x/review/t|Edit it on the review page>');
  });

  it('reject: a reason select and an optional note', () => {
    const view = rejectModal(approval) as any;
    expect(view.callback_id).toBe('handrail_reject');
    expect(view.blocks.map((b: any) => b.block_id).filter(Boolean)).toEqual(['reason_code', 'reason']);
    expect(view.blocks.find((b: any) => b.block_id === 'reason').optional).toBe(true);
  });
});

describe('Slack interaction payloads (zod)', () => {
  it('parses a block_actions payload and refuses one without a user', () => {
    const ok = blockActionsSchema.safeParse({ type: 'block_actions', user: { id: 'U1' }, trigger_id: 't', actions: [{ action_id: 'handrail_approve', value: '{}' }], team: { id: 'T' } });
    expect(ok.success).toBe(true);
    expect(blockActionsSchema.safeParse({ type: 'block_actions', actions: [{ action_id: 'x' }] }).success).toBe(false);
    expect(parseButtonValue('{"approvalId":"a","draftHash":"nothex"}')).toBeUndefined();
    expect(parseButtonValue('not json')).toBeUndefined();
    expect(parseButtonValue(JSON.stringify({ approvalId: 'x'.repeat(3000), draftHash: '0123456789abcdef0123456789abcdef' }))).toBeUndefined();
  });

  it('parses a view_submission with its private_metadata and field values', () => {
    const parsed = viewSubmissionSchema.parse({
      type: 'view_submission',
      user: { id: 'U1' },
      view: {
        callback_id: 'handrail_edit',
        private_metadata: JSON.stringify({ approvalId: 'run-1.review.0', draftHash: '0123456789abcdef0123456789abcdef' }),
        state: { values: { text: { text: { type: 'plain_text_input', value: 'new' } }, reason_code: { reason_code: { type: 'static_select', selected_option: { value: 'tone' } } } } },
      },
    });
    expect(parsed.view.private_metadata.approvalId).toBe('run-1.review.0');
    expect(fieldValue(parsed.view, 'text')).toBe('new');
    expect(fieldValue(parsed.view, 'reason_code')).toBe('tone');
    expect(fieldValue(parsed.view, 'reason')).toBeUndefined();
    expect(viewSubmissionSchema.safeParse({ type: 'view_submission', user: { id: 'U1' }, view: { callback_id: 'x', private_metadata: 'oops', state: { values: {} } } }).success).toBe(false);
  });
});

describe('a sensitive step (signIn: required) in Slack', () => {
  it('carries no decision buttons, only the review page link, and says why', () => {
    const dm = requestMessage({ ...sampleApproval(), signIn: 'required' }, 'http://localhost:3000/review/abc');
    const actions = dm.blocks.find((b) => b.type === 'actions') as { elements: any[] };
    expect(actions.elements.map((e) => e.action_id)).toEqual([SLACK_ACTIONS.open]);
    expect(json(dm.blocks)).toContain('This step needs a sign-in');
    // Posted to a channel (no per-reviewer link): no buttons at all.
    expect(requestMessage({ ...sampleApproval(), signIn: 'required' }).blocks.some((b) => b.type === 'actions')).toBe(false);
  });
});
