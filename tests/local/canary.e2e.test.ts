/**
 * A canary rolled back by quality on the local runtime: support-reply declares a canary rollout
 * (half of new runs for 30m, back when reviewers reject more than 30% after 4 decisions); a restart
 * with a changed prompt deploys a new release to half the runs; reviewers reject its drafts; the
 * rollout check sends every new run back to the old release, while a run already on the new one
 * finishes there.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auditTrail } from '../../functions/records/audit.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { defaultWorkflowsDir } from '../../state-machines/load-workflow.js';
import { getApproval } from '../../functions/records/approvals.js';
import { handrailCli } from '../support/cli.js';
import { client, decideAs, startTestRuntime, runRecordReaching } from '../support/local-runtime.js';

const dataDir = mkdtempSync(join(tmpdir(), 'handrail-canary-'));
const workflowsDir = mkdtempSync(join(tmpdir(), 'handrail-canary-wf-'));
// support-reply alone: the deployments and rollouts this test reads are its own.
cpSync(join(defaultWorkflowsDir, 'support-reply.yaml'), join(workflowsDir, 'support-reply.yaml'));
const file = join(workflowsDir, 'support-reply.yaml');
writeFileSync(
  file,
  `${readFileSync(file, 'utf8')}\nrelease:\n  strategy: canary\n  percent: 50\n  bake: 30m\n  rollbackWhen: { rejectionRateAbove: 0.3, minDecisions: 4 }\n`,
);
const REVIEWER = 'support-agent@example.com';
let rt: LocalRuntime | undefined;

afterAll(async () => {
  await rt?.stop();
});

/** Starts `count` runs and waits until each waits for approval; returns them with the release that drafted each. */
async function pendingRuns(count: number, prefix: string): Promise<{ runId: string; releaseId: string; approval: any }[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const { runId } = (await client(rt!).post('/webhooks/support-reply', { ticketId: `${prefix}-${i}`, subject: 'Refund', body: 'How do I get a refund?' })).body;
      const run = await runRecordReaching(runId, ['awaiting_approval']);
      const approval = await getApproval(run.approvalIds!.at(-1)!);
      return { runId, releaseId: approval!.releaseId!, approval };
    }),
  );
}

describe('canary releases', () => {
  it('rolls a release back when reviewers reject its drafts; new runs go to the old release, runs on the new one finish there', async () => {
    delete process.env.SUPPORT_REPLY_URL;
    rt = await startTestRuntime({ dataDir, workflowsDir, rolloutCheckMs: 3_600_000 });
    const [initial] = rt.deployments.all();
    expect(initial).toMatchObject({ status: 'succeeded', weight: 100 });
    const stable = initial!.toReleaseId!;
    await rt.stop();

    writeFileSync(file, readFileSync(file, 'utf8').replace('      {{input.body}}\n', '      {{input.body}}\n\n      Answer in one word.\n'));
    rt = await startTestRuntime({ dataDir, workflowsDir, rolloutCheckMs: 3_600_000 });
    const [deployment] = rt.deployments.inProgress();
    expect(deployment).toMatchObject({ status: 'in_progress', weight: 50, fromReleaseId: stable, preference: { type: 'CANARY', percentage: 50, interval: 30 }, watched: true });
    const candidate = deployment!.toReleaseId!;
    expect(candidate).not.toBe(stable);

    // Half of new runs on each release (Binomial(40, 0.5): at least 5 each is 4.7 sd from the mean).
    const runs = await pendingRuns(40, 'T-canary');
    const onCandidate = runs.filter((r) => r.releaseId === candidate);
    expect(onCandidate.length).toBeGreaterThanOrEqual(5);
    expect(runs.length - onCandidate.length).toBeGreaterThanOrEqual(5);
    expect(runs.every((r) => r.releaseId === candidate || r.releaseId === stable)).toBe(true);

    // Reviewers reject the candidate's drafts; one of its runs is still waiting when it is rolled back.
    const [inFlight, ...rejected] = onCandidate;
    for (const r of rejected) expect((await decideAs(rt, r.approval, REVIEWER, { action: 'reject', reasonCode: 'incomplete', reason: 'one word is no answer' })).status).toBe(200);
    await Promise.all(rejected.map((r) => runRecordReaching(r.runId, ['rejected'])));
    await rt.checkRollouts();
    expect(rt.deployments.inProgress()).toEqual([]);
    const [ended] = rt.deployments.all();
    expect(ended).toMatchObject({ status: 'rolled_back', weight: 0, reason: expect.stringContaining('rejectionRateAbove 0.3: 1.00') });
    expect(await auditTrail('workflow#support-reply')).toContainEqual(expect.objectContaining({ type: 'release.rolled_back', details: expect.objectContaining({ releaseId: candidate, previousReleaseId: stable }) }));

    // Every new run is on the stable release again.
    const after = await pendingRuns(10, 'T-after');
    expect(new Set(after.map((r) => r.releaseId))).toEqual(new Set([stable]));

    // The run in flight finishes on the release that started it.
    expect((await decideAs(rt, inFlight!.approval, REVIEWER, { action: 'approve' })).status).toBe(200);
    const finished = await runRecordReaching(inFlight!.runId, ['delivered', 'completed']);
    expect(finished.releaseId).toBe(candidate);
    const execution = await rt.engine.describeExecution(`arn:aws:states:us-east-1:000000000000:execution:handrail-local-support-reply:${inFlight!.runId}`);
    expect(execution.stateMachineVersionArn).toBe(deployment!.toVersionArn);
  }, 180_000);

  it('rolls back by command, at once and without a deploy: npx handrail rollback, GET …/rollout, refusals', async () => {
    // The rollback above left the old release live; a third release deploys on top (canary, 50%).
    await rt!.stop();
    writeFileSync(file, readFileSync(file, 'utf8').replace('      Answer in one word.\n', '      Answer in three sentences.\n'));
    rt = await startTestRuntime({ dataDir, workflowsDir, rolloutCheckMs: 3_600_000 });
    const [deployment] = rt.deployments.inProgress();
    const { fromReleaseId: stable, toReleaseId: third } = deployment!;
    const rollout = await client(rt, { as: 'auditor@example.com' }).get('/workflows/support-reply/rollout');
    expect(rollout.body.live).toEqual([expect.objectContaining({ releaseId: stable, weight: 50 }), expect.objectContaining({ releaseId: third, weight: 50 })]);
    expect(rollout.body.versions.map((v: any) => v.version)).toEqual([3, 2, 1]);

    const refusals = [
      [await handrailCli(rt, ['rollback', 'support-reply'], { as: 'admin@example.com' }), /--reason/],
      [await handrailCli(rt, ['rollback', 'support-reply', '--reason', 'x', '--to', 'rel-0000000000000000'], { as: 'admin@example.com' }), /No version of support-reply was built from release rel-0000000000000000/],
      [await handrailCli(rt, ['rollback', 'support-reply', '--reason', 'x'], { as: 'author@example.com' }), /403|not allowed|admin/i],
    ] as const;
    for (const [result, message] of refusals) {
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(message);
    }
    const rolled = await handrailCli(rt, ['rollback', 'support-reply', '--to', stable!, '--reason', 'drafts too long'], { as: 'admin@example.com' });
    expect(rolled.code).toBe(0);
    expect(rolled.stdout).toContain(`every new run now goes to ${stable}`);
    const runs = await pendingRuns(6, 'T-rolled');
    expect(new Set(runs.map((r) => r.releaseId))).toEqual(new Set([stable]));
    expect(await auditTrail('workflow#support-reply')).toContainEqual(
      expect.objectContaining({ type: 'release.rolled_back', actor: 'admin@example.com', details: expect.objectContaining({ reason: 'drafts too long', previousReleaseId: stable }) }),
    );
    // The deployment in progress is over: the monitor leaves the alias where the command put it.
    await rt.checkRollouts();
    expect(rt.deployments.all()[0]).toMatchObject({ status: 'rolled_back', reason: expect.stringContaining('moved outside the deployment') });
    const again = await handrailCli(rt, ['rollback', 'support-reply', '--to', stable!, '--reason', 'again'], { as: 'admin@example.com' });
    expect(again.stderr).toMatch(/already goes to/);
    const shown = await handrailCli(rt, ['releases', 'rollout', 'support-reply'], { as: 'author@example.com' });
    expect(shown.stdout).toContain(`New runs of support-reply: 100% ${stable}`);
  }, 180_000);
});
