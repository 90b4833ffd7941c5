/**
 * Replay before you ship, on the local runtime: three recorded support-reply runs (approved, edited,
 * rejected by a person) are re-run through a candidate release with `npx handrail replay`. Nothing
 * is delivered, nobody is asked, the candidate's rollback counts do not move, and the report puts
 * each recorded run beside its replay with how the person decided it.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getApproval } from '../../functions/records/approvals.js';
import { releaseCounts } from '../../functions/releases/release-counts.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { defaultWorkflowsDir } from '../../state-machines/load-workflow.js';
import { emptyCounts } from '../../state-machines/rollout.js';
import { handrailCli } from '../support/cli.js';
import { client, decideAs, startTestRuntime, runRecordReaching } from '../support/local-runtime.js';

const dataDir = mkdtempSync(join(tmpdir(), 'handrail-replay-'));
const workflowsDir = mkdtempSync(join(tmpdir(), 'handrail-replay-wf-'));
// support-reply alone: the deployments and rollouts this test reads are its own.
cpSync(join(defaultWorkflowsDir, 'support-reply.yaml'), join(workflowsDir, 'support-reply.yaml'));
const file = join(workflowsDir, 'support-reply.yaml');
writeFileSync(file, `${readFileSync(file, 'utf8')}\nrelease: { strategy: canary, percent: 1, bake: 1h, rollbackWhen: { rejectionRateAbove: 0.5, minDecisions: 1 } }\n`);
const REVIEWER = 'support-agent@example.com';
let rt: LocalRuntime | undefined;

afterAll(async () => {
  await rt?.stop();
});

const delivered = () => [...rt!.sink.values()].flat().length;

describe('replay', () => {
  it('re-runs recorded runs through a candidate release: nothing delivered, nobody asked, nothing counted, a side-by-side report', async () => {
    delete process.env.SUPPORT_REPLY_URL;
    rt = await startTestRuntime({ dataDir, workflowsDir, rolloutCheckMs: 3_600_000 });
    const from = new Date(Date.now() - 1000).toISOString();
    const decisions = [{ action: 'approve' }, { action: 'edit', text: 'We refund within 30 days.', reasonCode: 'tone' }, { action: 'reject', reasonCode: 'policy', reason: 'wrong policy' }] as const;
    const recorded: string[] = [];
    for (const [i, decision] of decisions.entries()) {
      const { runId } = (await client(rt).post('/webhooks/support-reply', { ticketId: `T-replay-${i}`, subject: 'Refund', body: 'How do I get a refund?' })).body;
      const run = await runRecordReaching(runId, ['awaiting_approval']);
      const approval = await getApproval(run.approvalIds!.at(-1)!);
      expect((await decideAs(rt, approval!, REVIEWER, decision)).status).toBe(200);
      await runRecordReaching(runId, ['delivered', 'rejected']);
      recorded.push(runId);
    }
    await rt.stop();

    writeFileSync(file, readFileSync(file, 'utf8').replace('      {{input.body}}\n', '      {{input.body}}\n\n      Answer in one word.\n'));
    rt = await startTestRuntime({ dataDir, workflowsDir, rolloutCheckMs: 3_600_000 });
    const [deployment] = rt.deployments.inProgress();
    const candidate = deployment!.toReleaseId!;
    const deliveredBefore = delivered();
    const pendingBefore = (await client(rt).get('/approvals?status=pending')).body.approvals.length;

    const out = join(dataDir, 'replay.json');
    const result = await handrailCli(rt, ['replay', 'support-reply', '--release', candidate, '--from', from, '--out', out], { as: 'author@example.com' });
    expect(result.code).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report).toMatchObject({ workflowId: 'support-reply', releaseId: candidate, complete: true, totals: { runs: 3, done: 3 } });
    expect(report.pairs.map((p: any) => p.original.runId).sort()).toEqual([...recorded].sort());
    const byDecision = Object.fromEntries(report.pairs.map((p: any) => [p.original.decision.action, p]));
    expect(Object.keys(byDecision).sort()).toEqual(['approve', 'edit', 'reject']);
    expect(byDecision.reject.original).toMatchObject({ outcome: 'rejected', decision: { reviewer: REVIEWER, reasonCode: 'policy' } });
    for (const pair of report.pairs) {
      expect(pair.replay).toMatchObject({ releaseId: candidate, outcome: 'completed', status: 'completed' });
      expect(pair.replay.path).toEqual(pair.original.path);
      expect(pair.replay.draftLength).toBeGreaterThan(0);
    }
    // A person rejected the original; the replay was approved by nobody: the outcome differs.
    expect(byDecision.reject.changed).toContain('outcome');
    expect(byDecision.approve.changed).not.toContain('outcome');
    expect(result.stdout).toContain(`replayed  ${candidate}: completed`);
    expect(result.stdout).toMatch(/3 run\(s\): 1 changed outcome, 0 changed route/);

    // Nothing delivered, nobody asked, and the candidate's rollback counts did not move.
    expect(delivered()).toBe(deliveredBefore);
    expect((await client(rt).get('/approvals?status=pending')).body.approvals.length).toBe(pendingBefore);
    expect(await releaseCounts(candidate)).toEqual(emptyCounts());
    await rt.checkRollouts();
    expect(rt.deployments.inProgress()).toHaveLength(1);
    const replayRun = (await client(rt).get(`/runs/${report.pairs[0].replay.runId}`)).body;
    expect(replayRun).toMatchObject({ replay: { of: report.pairs[0].original.runId }, status: 'completed' });
    expect(replayRun.approvals[0]).toMatchObject({ status: 'auto_approved', decision: { channel: 'replay', reviewer: 'handrail-replay' } });
    expect(replayRun.delivery).toBeUndefined();
    expect((await client(rt, { as: 'auditor@example.com' }).get(`/replays/${report.replayId}`)).body.pairs).toHaveLength(3);
  }, 180_000);

  it('refuses a replay it cannot run, saying what to fix', async () => {
    const as = { as: 'author@example.com' };
    const unknown = await handrailCli(rt!, ['replay', 'support-reply', '--release', 'rel-0000000000000000', '--from', '2026-01-01T00:00:00Z'], as);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/No version of support-reply was built from release rel-0000000000000000/);
    const noFrom = await handrailCli(rt!, ['replay', 'support-reply', '--release', 'rel-0000000000000000'], as);
    expect(noFrom.code).toBe(2);
    expect(noFrom.stderr).toMatch(/--from/);
    const [{ toReleaseId }] = rt!.deployments.all();
    const nothing = await handrailCli(rt!, ['replay', 'support-reply', '--release', toReleaseId!, '--from', '2020-01-01T00:00:00Z', '--to', '2020-02-01T00:00:00Z'], as);
    expect(nothing.stderr).toMatch(/no ended runs between 2020-01-01T00:00:00.000Z and 2020-02-01T00:00:00.000Z/);
    const backwards = await handrailCli(rt!, ['replay', 'support-reply', '--release', toReleaseId!, '--from', '2099-01-01T00:00:00Z'], as);
    expect(backwards.stderr).toMatch(/from \(2099-01-01T00:00:00.000Z\) is after to/);
    const badDate = await client(rt!, as).post('/workflows/support-reply/replays', { release: toReleaseId, from: 'yesterday' });
    expect(badDate.status).toBe(400);
    expect(badDate.body.error.message).toMatch(/from: an ISO 8601 time/);
    expect((await client(rt!, { as: 'auditor@example.com' }).post('/workflows/support-reply/replays', { release: toReleaseId, from: '2026-01-01T00:00:00Z' })).status).toBe(403);
    expect((await client(rt!, { as: 'auditor@example.com' }).get('/replays/rpl-000000000000')).status).toBe(404);
  }, 60_000);
});
