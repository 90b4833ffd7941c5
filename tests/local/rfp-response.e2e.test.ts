/**
 * The rfp-response workflow end to end on the local runtime with the offline provider: a
 * questionnaire in → one draft per section from its own search, with citations → a section the
 * knowledge does not support flagged as missing information → one part per section, each decided by
 * its expert → the assembled document delivered once, signed, in section order.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { signReviewToken } from '../../functions/shared/review-link.js';
import { client, deliveringSuite, decideAs, pendingApprovalOf, waitForRun } from '../support/local-runtime.js';

const suite = deliveringSuite('RFP_RESPONSE_URL');
let api: ReturnType<typeof client>;
beforeAll(() => {
  api = client(suite.rt);
});

const questionnaire = {
  customer: 'Globex',
  security: 'How is customer data encrypted at rest and in transit? Do you hold a SOC 2 Type II report?',
  commercial: 'What uptime do you commit to, and what service credits apply if you miss it?',
  product: 'Which identity providers do you support for single sign-on? Is there a REST API?',
  legal: 'What professional indemnity insurance cover do you carry, and what is your liability cap for consequential losses?',
};

describe('rfp-response on the local runtime', () => {
  it('drafts each section from its own search with citations, flags the unsupported one, and delivers the approved sections as one document', async () => {
    // Act: the questionnaire arrives
    const started = await api.post('/webhooks/rfp-response', questionnaire);
    expect(started.status).toBe(202);
    const { runId } = started.body;
    const approval = await pendingApprovalOf(suite.rt, runId);

    // Assess: each section searched only its own questions, and its draft read only that search
    const { steps } = (await api.get(`/runs/${runId}`)).body;
    const step = (id: string) => steps.find((s: any) => s.stepId === id);
    expect(step('retrieve_security').output.passages[0].docId).toBe('security-practices');
    expect(step('retrieve_commercial').output.passages[0].docId).toBe('sla-and-pricing');
    expect(step('retrieve_product').output.passages[0].docId).toBe('integrations');
    expect(step('retrieve_legal').output.passages).toEqual([]);
    expect(step('draft_commercial').input.passageIds).toEqual(step('retrieve_commercial').output.passages.map((p: any) => p.passageId));

    // One part per section, to its expert; supported sections cite their sources, the legal one is flagged
    expect(approval.items.map((i: any) => [i.itemId, i.title, i.reviewers, i.status])).toEqual([
      ['security', 'Security', ['security-expert@example.com'], 'pending'],
      ['commercial', 'Pricing and commercial terms', ['finance@example.com'], 'pending'],
      ['product', 'Product and integrations', ['solutions-engineer@example.com'], 'pending'],
      ['legal', 'Legal and compliance', ['legal-counsel@example.com', 'policy-officer@example.com'], 'pending'],
    ]);
    const [security, commercial, product, legal] = approval.items;
    expect(security.draft).toMatchObject({ provider: 'offline', citations: expect.arrayContaining([1]) });
    expect(security.draft.text).toMatch(/AES-256.*\[\d\]/s);
    expect(security.draft.text).toContain('Security practices (security-practices@v1)');
    expect(commercial.draft.text).toMatch(/99\.9%.*\[\d\]/s);
    expect(product.draft.text).toMatch(/Okta|SAML|REST API/);
    for (const item of [security, commercial, product]) expect(item.qualityFailures).toBeUndefined();
    expect(legal.draft.citations).toEqual([]);
    expect(legal.draft.text).toContain('No knowledge-base article covers this question');
    expect(legal.qualityFailures.map((f: any) => f.gate).sort()).toEqual(['citations', 'context']);
    expect(approval.draft.text).toMatch(/## Legal and compliance\n\n> Flagged: the draft cites no knowledge passage; no retrieved passage scores 3 or more\./);

    // The legal reviewer's page shows the flag on their part
    const link = signReviewToken(suite.rt.signingSecret, { approvalId: approval.approvalId, reviewer: 'legal-counsel@example.com', expiresAt: Math.floor(Date.now() / 1000) + 600 });
    const page = await client(suite.rt, { as: null }).get(`/review/${link}`);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<strong>Flagged<\/strong>: the draft cites no knowledge passage; no retrieved passage scores 3 or more\. Approving as drafted keeps this flag/);
    expect(page.text.match(/<strong>Flagged<\/strong>/g)).toHaveLength(1);

    // Act: each expert decides their part; finance edits, legal approves the flagged draft as it is
    const itemPath = (item: any) => ({ approvalId: `${approval.approvalId}/items/${item.itemId}`, draftHash: item.draftHash });
    expect((await decideAs(suite.rt, itemPath(security), 'finance@example.com', { action: 'approve' })).status).toBe(403);
    expect((await decideAs(suite.rt, itemPath(security), 'security-expert@example.com', { action: 'approve' })).status).toBe(200);
    const edited = 'Business and Enterprise plans commit to 99.9% monthly uptime (99.95% on contract for Globex), with service credits of 10% to 50% of the monthly fee [1].';
    expect((await decideAs(suite.rt, itemPath(commercial), 'finance@example.com', { action: 'edit', text: edited, reasonCode: 'incomplete' })).status).toBe(200);
    expect((await decideAs(suite.rt, itemPath(product), 'solutions-engineer@example.com', { action: 'approve' })).status).toBe(200);
    const last = await decideAs(suite.rt, itemPath(legal), 'legal-counsel@example.com', { action: 'approve' });
    expect(last.status).toBe(200);
    expect(last.body.status).toBe('decided');

    // Assess: one signed delivery, the sections in questionnaire order under their titles, the flag kept
    const run = await waitForRun(suite.rt, runId, ['delivered']);
    const delivered = suite.receiver.received.filter((r) => r.body.runId === runId);
    expect(delivered).toHaveLength(1);
    const document: string = delivered[0]!.body.text;
    expect(document.match(/^## .+$/gm)).toEqual(['## Security', '## Pricing and commercial terms', '## Product and integrations', '## Legal and compliance']);
    expect(document).toContain(`## Security\n\n${security.draft.text}`);
    expect(document).toContain(`## Pricing and commercial terms\n\n${edited}`);
    expect(document).toContain(
      '## Legal and compliance\n\n> Flagged: the draft cites no knowledge passage; no retrieved passage scores 3 or more. Approved as drafted by legal-counsel@example.com.\n\n',
    );
    expect(delivered[0]!.body.approval.items.map((i: any) => [i.itemId, i.status])).toEqual([
      ['security', 'approved'],
      ['commercial', 'edited'],
      ['product', 'approved'],
      ['legal', 'approved'],
    ]);
    expect(run.delivery).toMatchObject({ status: 'delivered', text: document });
  });

  it('refuses a questionnaire without its customer, naming the field', async () => {
    const { customer: _c, ...rest } = questionnaire;
    const res = await api.post('/webhooks/rfp-response', rest);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('customer');
  });
});
