/**
 * Releases on the local runtime: each run records the release that served it; GET /releases lists
 * the deployed release and every one a run started on; a redeploy with a changed prompt is a new
 * release, and `npx handrail releases diff` shows the prompt's line diff between the two.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime.js';
import { defaultWorkflowsDir } from '../../state-machines/load-workflow.js';
import { handrailCli } from '../support/cli.js';
import { client, pendingApprovalOf, startTestRuntime } from '../support/local-runtime.js';

const dataDir = mkdtempSync(join(tmpdir(), 'handrail-releases-'));
const workflowsDir = mkdtempSync(join(tmpdir(), 'handrail-releases-wf-'));
// support-reply's releases alone: GET /releases lists every deployed workflow's.
cpSync(join(defaultWorkflowsDir, 'support-reply.yaml'), join(workflowsDir, 'support-reply.yaml'));
let rt: LocalRuntime | undefined;

afterAll(async () => {
  await rt?.stop();
});

async function runOnce(ticketId: string): Promise<string> {
  const { runId } = (await client(rt!).post('/webhooks/support-reply', { ticketId, subject: 'Refund', body: 'How do I get a refund?' })).body;
  await pendingApprovalOf(rt!, runId);
  return runId;
}

describe('releases', () => {
  let first: string;
  let second: string;

  it('a run records the release that served it, and GET /releases lists it as deployed', async () => {
    delete process.env.SUPPORT_REPLY_URL;
    rt = await startTestRuntime({ dataDir, workflowsDir });
    const deployed = (await client(rt).get('/releases?workflowId=support-reply')).body.releases;
    expect(deployed).toEqual([{ releaseId: expect.stringMatching(/^rel-[0-9a-f]{16}$/), workflowId: 'support-reply', workflowVersion: expect.any(String), current: true }]);
    first = deployed[0].releaseId;
    const runId = await runOnce('T-rel-1');
    expect((await client(rt).get(`/runs/${runId}`)).body.releaseId).toBe(first);
    // The reviewer sees which release drafted what they review.
    const approval = (await client(rt).get(`/runs/${runId}`)).body.approvals[0];
    expect(approval.releaseId).toBe(first);
    const page = await fetch((await client(rt).get(`/approvals/${approval.approvalId}`)).body.reviewLinks['support-agent@example.com']);
    expect(await page.text()).toContain(`release ${first}`);
    const [listed] = (await client(rt).get('/releases')).body.releases;
    expect(listed).toMatchObject({ releaseId: first, current: true, firstSeenAt: expect.any(String) });
    const shown = await client(rt, { as: 'auditor@example.com' }).get(`/releases/${first}`);
    expect(shown.body).toMatchObject({ releaseId: first, current: true, manifest: { workflowId: 'support-reply', knowledge: { support: 'latest' } } });
    expect((await client(rt).get('/releases/rel-0000000000000000')).status).toBe(404);
    expect((await client(rt).get('/releases/not-a-release')).status).toBe(404);
    expect((await client(rt, { as: 'support-agent@example.com' }).get('/releases')).status).toBe(403);
    await rt.stop();
    rt = undefined;
  }, 120_000);

  it('a changed prompt is a new release; both stay listed, and the CLI diffs them', async () => {
    const file = join(workflowsDir, 'support-reply.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('      {{input.body}}\n', '      {{input.body}}\n\n      Answer in two sentences.\n'));
    rt = await startTestRuntime({ dataDir, workflowsDir });
    await runOnce('T-rel-2');
    const releases = (await client(rt).get('/releases')).body.releases as { releaseId: string; current: boolean }[];
    expect(releases.map((r) => r.current)).toEqual([true, false]);
    second = releases[0]!.releaseId;
    expect(releases[1]!.releaseId).toBe(first);

    const { stdout } = await handrailCli(rt, ['releases', 'diff', first, second], { as: 'author@example.com' });
    expect(stdout).toContain(`${first} → ${second}: `);
    expect(stdout).toContain('prompt:\n  steps.draft_reply.prompt:');
    expect(stdout).toContain('+Answer in two sentences.');
    const list = await handrailCli(rt, ['releases', 'list'], { as: 'author@example.com' });
    expect(list.stdout.split('\n')[0]).toMatch(new RegExp(`^\\* ${second}  support-reply  workflow [0-9a-f]{16}  first run `));
  }, 120_000);
});
