/** The catalog of deployed workflows (issue 13, item 4): GET /workflows and `npx handrail workflows list|show`. */
import { describe, expect, it } from 'vitest';
import { loadDirectory } from '../../state-machines/directory.js';
import { handrailCli } from '../support/cli.js';
import { client, runtimeForSuite } from '../support/local-runtime.js';

const runtime = runtimeForSuite();

describe('the workflow catalog', () => {
  it('describes each deployed workflow: trigger, steps, reviewers by level (groups resolved), delivery, knowledge, release', async () => {
    const { body } = await client(runtime(), { as: 'author@example.com' }).get('/workflows');
    expect(body.workflows.map((w: { id: string }) => w.id).sort()).toEqual(['kb-update', 'meeting-notes', 'rfp-response', 'sales-outreach', 'support-reply']);
    const support = body.workflows.find((w: { id: string }) => w.id === 'support-reply');
    const release = (await client(runtime()).get('/releases?workflowId=support-reply')).body.releases.find((r: { current: boolean }) => r.current);
    expect(support).toMatchObject({
      id: 'support-reply',
      releaseId: release.releaseId,
      trigger: { webhook: 'POST /webhooks/support-reply', auth: ['signature', 'api-key', 'zendesk'], input: expect.arrayContaining(['ticketId', 'subject', 'body']) },
      knowledge: { support: 'latest' },
      delivery: { SUPPORT_REPLY_URL: 'the local sink (/sink/support-reply)' },
    });
    expect(support.steps.map((s: { id: string; kind: string }) => s.kind)).toEqual(expect.arrayContaining(['retrieve', 'generate', 'classify', 'route', 'approval', 'deliver']));
    expect(support.steps.find((s: { kind: string }) => s.kind === 'retrieve').does).toBe('retrieves the top 4 passages from support');
    // Every approval level names people, never an unresolved group.
    const levels = Object.values(support.reviewers as Record<string, string[][]>).flat(2);
    expect(levels.length).toBeGreaterThan(0);
    expect(levels.some((who) => who.startsWith('group:'))).toBe(false);
    expect(levels).toEqual(expect.arrayContaining(loadDirectory().groups['support-leads']!));
    expect((await client(runtime()).get('/workflows/support-reply')).body).toEqual(support);
    // sales-outreach: HubSpot's signature, the product collection, the rep, and where it delivers here
    const sales = body.workflows.find((w: { id: string }) => w.id === 'sales-outreach');
    expect(sales).toMatchObject({
      trigger: { webhook: 'POST /webhooks/sales-outreach', auth: ['hubspot', 'signature'], input: expect.arrayContaining(['contactId', 'email', 'message', 'ownerId']) },
      knowledge: { product: 'latest' },
      delivery: { SALES_OUTREACH_URL: 'the local sink (/sink/sales-outreach)' },
    });
    expect(sales.steps.find((s: { kind: string }) => s.kind === 'deliver').does).toMatch(/the HubSpot contact in input\.contactId \(a note, and a task for input\.ownerId\) where the stage declares hubspot/);
    expect(Object.values(sales.reviewers as Record<string, string[][]>).flat(2)).toEqual(expect.arrayContaining(['sales-rep@example.com', ...loadDirectory().groups['sales']!]));
    // kb-update: Zendesk's signature too, reads the support collection, writes it only through its approval; no URL
    const kb = body.workflows.find((w: { id: string }) => w.id === 'kb-update');
    expect(kb).toMatchObject({
      trigger: { webhook: 'POST /webhooks/kb-update', auth: ['signature', 'api-key', 'zendesk'], input: expect.arrayContaining(['ticketId', 'subject', 'resolution']) },
      knowledge: { support: 'latest' },
      delivery: {},
      reviewers: { owner_review: [['kb-owner@example.com'], ['head-of-support@example.com']] },
    });
    expect(kb.steps.map((s: { does: string }) => s.does)).toEqual([
      'retrieves the top 3 passages from support, and the best-matching document whole',
      expect.stringMatching(/^proposes a revision of the document find_article found, drafts with bedrock\/.+ → openai\/gpt-4o-mini → offline$/),
      'asks for approval, escalating 1 level(s)',
      'writes the approved text as a new version of the support document propose_edit revises (once per run)',
    ]);
    // meeting-notes: its owner is named by each run's input, and it posts to the channel the input names
    const notes = body.workflows.find((w: { id: string }) => w.id === 'meeting-notes');
    expect(notes.reviewers).toEqual({ owner_review: [['input.owner']] });
    expect(notes.trigger).toMatchObject({ auth: ['signature', 'api-key', 'slack'], slack: { command: '/handrail-notes', shortcut: 'handrail_notes', input: { transcript: 'text', channel: 'channel', owner: 'user' } } });
    expect(notes.steps.find((s: { kind: string }) => s.kind === 'deliver').does).toBe('delivers the approved text to the Slack channel in input.channel');
    expect((await client(runtime()).get('/workflows/nope')).status).toBe(404);
    expect((await client(runtime(), { as: 'support-agent@example.com' }).get('/workflows')).status).toBe(403);
  });

  it('lists and shows them on the CLI', async () => {
    const list = await handrailCli(runtime(), ['workflows', 'list'], { as: 'auditor@example.com' });
    expect(list.stdout).toMatch(/^kb-update {2}.+ {2}\d+ steps {2}trigger: signature or api-key or zendesk {2}release rel-[0-9a-f]{16}\nmeeting-notes {2}.+ {2}\d+ steps {2}trigger: signature or api-key or slack {2}release rel-[0-9a-f]{16}\nrfp-response {2}.+ {2}\d+ steps {2}trigger: signature or api-key {2}release rel-[0-9a-f]{16}\nsales-outreach {2}.+ {2}\d+ steps {2}trigger: hubspot or signature {2}release rel-[0-9a-f]{16}\nsupport-reply {2}.+ {2}\d+ steps {2}trigger: signature or api-key or zendesk {2}release rel-[0-9a-f]{16}\n$/);
    const show = await handrailCli(runtime(), ['workflows', 'show', 'support-reply'], { as: 'auditor@example.com' });
    expect(show.stdout).toContain('  trigger: POST /webhooks/support-reply (signature or api-key or zendesk)');
    expect(show.stdout).toContain('    retrieve_context (retrieve): retrieves the top 4 passages from support');
    expect(show.stdout).toContain('  reads support at latest');
  });
});
