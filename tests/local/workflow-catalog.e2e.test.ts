/** The catalog of deployed workflows (issue 13, item 4): GET /workflows and `npx handrail workflows list|show`. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDirectory } from '../../state-machines/directory.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { handrailCli } from '../support/cli.js';
import { client, startTestRuntime } from '../support/local-runtime.js';

let rt: LocalRuntime;

beforeAll(async () => {
  rt = await startTestRuntime();
}, 120_000);

afterAll(async () => {
  await rt?.stop();
});

describe('the workflow catalog', () => {
  it('describes each deployed workflow: trigger, steps, reviewers by level (groups resolved), delivery, knowledge, release', async () => {
    const { body } = await client(rt, { as: 'author@example.com' }).get('/workflows');
    const [support] = body.workflows;
    const release = (await client(rt).get('/releases?workflowId=support-reply')).body.releases.find((r: { current: boolean }) => r.current);
    expect(support).toMatchObject({
      id: 'support-reply',
      releaseId: release.releaseId,
      trigger: { webhook: 'POST /webhooks/support-reply', auth: ['signature', 'api-key'], input: expect.arrayContaining(['ticketId', 'subject', 'body']) },
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
    expect((await client(rt).get('/workflows/support-reply')).body).toEqual(support);
    expect((await client(rt).get('/workflows/nope')).status).toBe(404);
    expect((await client(rt, { as: 'support-agent@example.com' }).get('/workflows')).status).toBe(403);
  });

  it('lists and shows them on the CLI', async () => {
    const list = await handrailCli(rt, ['workflows', 'list'], { as: 'auditor@example.com' });
    expect(list.stdout).toMatch(/^support-reply {2}.+ {2}\d+ steps {2}trigger: signature or api-key {2}release rel-[0-9a-f]{16}\n$/);
    const show = await handrailCli(rt, ['workflows', 'show', 'support-reply'], { as: 'auditor@example.com' });
    expect(show.stdout).toContain('  trigger: POST /webhooks/support-reply (signature or api-key)');
    expect(show.stdout).toContain('    retrieve_context (retrieve): retrieves the top 4 passages from support');
    expect(show.stdout).toContain('  reads support at latest');
  });
});
