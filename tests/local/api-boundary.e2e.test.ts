/**
 * Boundary rules that need a real store and a real approval: pagination cursors across pages and
 * listings, unknown webhook fields dropped before the run is stored, and Slack's Edit and Reject
 * buttons when this deployment has no Slack bot token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime.js';
import { click, signedInteraction } from '../functions/notifications/support/slack-requests.js';
import { client, startTestRuntime, waitFor } from '../support/local-runtime.js';

const SLACK_SECRET = 'boundary-slack-secret';
let rt: LocalRuntime;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  rt = await startTestRuntime({ env: { SLACK_SIGNING_SECRET: SLACK_SECRET } });
  api = client(rt);
}, 120_000);
afterAll(() => rt?.stop());

const ticket = (id: string, extra: Record<string, unknown> = {}) => ({ ticketId: id, subject: 'Export', body: 'Can I export my data?', ...extra });

describe('webhooks', () => {
  it('drop the fields support-reply does not declare (additionalFields: drop) before the run is stored', async () => {
    // Act: a Zendesk-like payload with more than the workflow reads.
    const res = await api.post('/webhooks/support-reply', ticket('B-1', { requester: { id: 7, tags: ['vip'] }, via: 'web', custom_fields: [{ id: 1, value: null }] }));
    // Assess
    expect(res.status).toBe(202);
    const run = (await api.get(`/runs/${res.body.runId}`)).body;
    expect(run.input).toEqual(ticket('B-1'));
  });
});

describe('pagination cursors', () => {
  it('page through runs with the cursor the API returned, and refuse it for another listing', async () => {
    // Prepare
    for (const id of ['B-2', 'B-3', 'B-4']) expect((await api.post('/webhooks/support-reply', ticket(id))).status).toBe(202);
    // Act
    const first = await api.get('/runs?workflowId=support-reply&limit=2');
    const second = await api.get(`/runs?workflowId=support-reply&limit=2&cursor=${first.body.nextCursor}`);
    // Assess
    expect(second.status).toBe(200);
    const ids = [...first.body.runs, ...second.body.runs].map((r: { runId: string }) => r.runId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const path of [`/runs?cursor=${first.body.nextCursor}`, `/approvals?cursor=${first.body.nextCursor}`, '/approvals?cursor=e30', '/runs?cursor=e30']) {
      const refused = await api.get(path);
      expect(refused.status, path).toBe(400);
      expect(refused.body.error).toMatchObject({ field: 'cursor', message: expect.stringMatching(/^cursor: /) });
    }
  });
});

describe('Slack buttons without a bot token', () => {
  it.each([['handrail_edit' as const], ['handrail_reject' as const]])('%s is acknowledged with a message, and decides nothing', async (action) => {
    // Prepare: a pending request for support-agent@example.com (Slack user U0SUPPAGENT).
    const { runId } = (await api.post('/webhooks/support-reply', ticket(`B-${action}`))).body;
    const approval = await waitFor(async () => {
      const run = (await api.get(`/runs/${runId}`)).body;
      return run?.approvals?.find((a: { status: string }) => a.status === 'pending');
    }, 'a pending approval');
    expect(approval.reviewers).toContain('support-agent@example.com');
    // Act
    const req = signedInteraction(click(approval, 'U0SUPPAGENT', action), SLACK_SECRET);
    const res = await api.post('/slack/interactions', req.body, req.headers);
    // Assess
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: false, error: 'modal_unavailable', message: expect.stringContaining('no bot token') });
    expect((await api.get(`/approvals/${approval.approvalId}`)).body.status).toBe('pending');
  });
});
