/**
 * One-way promotion between local stages (stages.yaml pipeline: dev → staging → prod): a runtime
 * playing staging publishes its release but takes it only once promoted from dev; `npx handrail
 * promote` reads dev's records (its data folder, the runtime stopped) and refuses a release that
 * never ran there, one that ran fewer times than its rule asks, and any promotion that skips or
 * reverses a stage; the promotion it makes is audited with who, why and the evidence, and new runs
 * start on the promoted release.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getApproval } from '../../functions/records/approvals.js';
import { auditTrail } from '../../functions/records/audit.js';
import type { RunRecord } from '../../functions/records/runs.js';
import { startEmulators } from '../../local/emulators.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { readLocalStage } from '../../local/stage-file.js';
import { defaultWorkflowsDir } from '../../state-machines/load-workflow.js';
import { handrailCli } from '../support/cli.js';
import { client, decideAs, startTestRuntime, TEST_ADMIN, runRecordReaching } from '../support/local-runtime.js';

const tmp = (name: string) => mkdtempSync(join(tmpdir(), `handrail-promotion-${name}-`));
const devData = tmp('dev');
const stagingData = tmp('staging');

/** support-reply, asking for two ended runs in the stage before (or another promotion rule). */
function workflowsWith(promptExtra = '', promotion = '{ minRuns: 2 }'): string {
  const dir = tmp('wf');
  // support-reply alone: the deployments and promotions this test reads are its own.
  cpSync(join(defaultWorkflowsDir, 'support-reply.yaml'), join(dir, 'support-reply.yaml'));
  const file = join(dir, 'support-reply.yaml');
  const text = readFileSync(file, 'utf8').replace('      {{input.body}}\n', `      {{input.body}}\n${promptExtra}`);
  writeFileSync(file, `${text}\nrelease:\n  promotion: ${promotion}\n`);
  return dir;
}
const workflowsDir = workflowsWith();
let rt: LocalRuntime | undefined;

afterAll(async () => {
  await rt?.stop();
});

/** One support-reply run through to delivery, approved by its reviewer. */
async function deliveredRun(ticketId: string): Promise<RunRecord> {
  const started = await client(rt!).post('/webhooks/support-reply', { ticketId, subject: 'Refund', body: 'How do I get a refund?' });
  expect(started.status).toBe(202);
  const waiting = await runRecordReaching(started.body.runId, ['awaiting_approval']);
  const approval = await getApproval(waiting.approvalIds!.at(-1)!);
  expect((await decideAs(rt!, approval!, 'support-agent@example.com', { action: 'approve' })).status).toBe(200);
  return runRecordReaching(started.body.runId, ['delivered']);
}

/** One rfp-response run through to delivery, each section approved by its expert. */
async function deliveredRfpRun(customer: string): Promise<RunRecord> {
  const started = await client(rt!).post('/webhooks/rfp-response', { customer, security: 'How is data encrypted at rest?', commercial: 'What uptime do you commit to?', product: 'Is there a REST API?', legal: 'Will you sign our DPA?' });
  expect(started.status).toBe(202);
  const waiting = await runRecordReaching(started.body.runId, ['awaiting_approval']);
  const approval = (await getApproval(waiting.approvalIds!.at(-1)!))!;
  for (const item of approval.items!) {
    const decided = await decideAs(rt!, { approvalId: `${approval.approvalId}/items/${item.itemId}`, draftHash: item.draftHash }, item.reviewers[0]!, { action: 'approve' });
    expect(decided.status).toBe(200);
  }
  return runRecordReaching(started.body.runId, ['delivered']);
}

/**
 * One sales-outreach run, ended by the rep's rejection (dev declares HubSpot, which a test cannot
 * reach: an approval would end in the human queue instead).
 */
async function rejectedSalesRun(contactId: string): Promise<RunRecord> {
  const started = await client(rt!).post('/webhooks/sales-outreach', { contactId, email: 'lead@example.com', firstName: 'Lee', company: 'Initech', message: 'Do you support SSO?' });
  expect(started.status).toBe(202);
  const waiting = await runRecordReaching(started.body.runId, ['awaiting_approval']);
  const approval = (await getApproval(waiting.approvalIds!.at(-1)!))!;
  expect((await decideAs(rt!, approval, 'sales-rep@example.com', { action: 'reject', reasonCode: approval.reasons[0] })).status).toBe(200);
  return runRecordReaching(started.body.runId, ['rejected']);
}

/** One kb-update run through to a new version of the article, approved by its owner. */
async function deliveredKbRun(ticketId: string): Promise<RunRecord> {
  const started = await client(rt!).post('/webhooks/kb-update', { ticketId, subject: 'Refund after a downgrade', resolution: 'A downgrade refunds the unused days of the current billing cycle as credit.' });
  expect(started.status).toBe(202);
  const waiting = await runRecordReaching(started.body.runId, ['awaiting_approval']);
  const approval = (await getApproval(waiting.approvalIds!.at(-1)!))!;
  expect((await decideAs(rt!, approval, 'kb-owner@example.com', { action: 'approve' })).status).toBe(200);
  return runRecordReaching(started.body.runId, ['delivered']);
}

/** One meeting-notes run, ended by its owner's rejection (dev has no Slack bot to post the notes with). */
async function rejectedNotesRun(owner: string): Promise<RunRecord> {
  const started = await client(rt!).post('/webhooks/meeting-notes', { transcript: 'Ana: We ship on Monday. Bo will write the release notes.', owner, channel: 'C0PROMOTE' });
  expect(started.status).toBe(202);
  const waiting = await runRecordReaching(started.body.runId, ['awaiting_approval']);
  const approval = (await getApproval(waiting.approvalIds!.at(-1)!))!;
  expect((await decideAs(rt!, approval, owner, { action: 'reject', reasonCode: approval.reasons[0] })).status).toBe(200);
  return runRecordReaching(started.body.runId, ['rejected']);
}

async function runStage(stage: string, dataDir: string, wfDir = workflowsDir): Promise<LocalRuntime> {
  await rt?.stop();
  rt = undefined;
  rt = await startTestRuntime({ dataDir, workflowsDir: wfDir, pipelineStage: stage, loadSamples: true });
  return rt;
}

const promote = (args: string[]) => handrailCli(rt!, ['promote', 'support-reply', ...args, '--reason', 'dev signed it off'], { as: TEST_ADMIN });

describe('promotion between local stages', () => {
  it('takes a release into staging only after it ran in dev as often as its rule asks, one way, audited', async () => {
    delete process.env.SUPPORT_REPLY_URL;
    // dev is the first stage: it takes every release at once.
    await runStage('dev', devData);
    expect(rt!.deployments.all()).toMatchObject([{ status: 'succeeded' }]);
    const devRun = await deliveredRun('T-dev-1');

    // staging publishes the same build, but waits: nothing was promoted to it, so no run starts.
    await runStage('staging', stagingData);
    const [held] = rt!.deployments.all();
    expect(held).toMatchObject({ status: 'awaiting_promotion', weight: 0 });
    expect(held!.fromVersionArn).toBeUndefined();
    const refused = await client(rt!).post('/webhooks/support-reply', { ticketId: 'T-stg-0', subject: 'Refund', body: 'How do I get a refund?' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('No release of support-reply is live in this stage yet');

    // One run in dev is not the two the workflow's rule asks for.
    const tooFew = await promote(['--from', 'dev', '--to', 'staging', '--from-data', devData]);
    expect(tooFew.code).toBe(1);
    expect(tooFew.stderr).toContain(`ended 1 run in dev; staging asks for 2 (release.promotion.minRuns)`);
    expect(tooFew.stderr).toContain(devRun.releaseId);
    // One way, one stage at a time.
    const backwards = await promote(['--from', 'staging', '--to', 'dev', '--from-data', stagingData]);
    expect(backwards).toMatchObject({ code: 2 });
    expect(backwards.stderr).toContain('dev is the first stage: nothing is promoted to it (dev → staging → prod)');
    const skipping = await promote(['--from', 'dev', '--to', 'prod', '--from-data', devData]);
    expect(skipping).toMatchObject({ code: 2 });
    expect(skipping.stderr).toContain('prod takes releases only from staging');
    const noReason = await handrailCli(rt!, ['promote', 'support-reply', '--from', 'dev', '--to', 'staging'], { as: TEST_ADMIN });
    expect(noReason).toMatchObject({ code: 2 });
    expect(noReason.stderr).toContain('missing --reason');
    // Reviewers may not promote (admins only), whatever the evidence.
    const asReviewer = await client(rt!, { as: 'support-agent@example.com' }).post('/workflows/support-reply/promotions', {
      release: held!.toReleaseId, from: 'dev', to: 'staging', reason: 'x', evidence: { stage: 'dev', releases: [{ releaseId: held!.toReleaseId, runs: 5 }] },
    });
    expect(asReviewer.status).toBe(403);

    // A second run in dev.
    await runStage('dev', devData);
    await deliveredRun('T-dev-2');

    // A staging build dev never ran (another prompt) is refused by name.
    await runStage('staging', tmp('staging-other'), workflowsWith('\n      Answer in one word.\n'));
    const neverRan = await promote(['--from', 'dev', '--to', 'staging', '--from-data', devData]);
    expect(neverRan.code).toBe(1);
    expect(neverRan.stderr).toMatch(/support-reply: release rel-[0-9a-f]{16} never ran in dev; deploy it to dev and run it there before promoting it to staging/);

    // The build that ran twice in dev is promoted: staging takes it, audited with who, why and the evidence.
    await runStage('staging', stagingData);
    expect(rt!.deployments.all()).toMatchObject([{ status: 'awaiting_promotion' }]);
    const promoted = await promote(['--from', 'dev', '--to', 'staging', '--from-data', devData]);
    expect(promoted.stderr).toBe('');
    expect(promoted).toMatchObject({ code: 0 });
    expect(promoted.stdout).toContain(`support-reply: staging now runs release ${held!.toReleaseId}`);
    expect(promoted.stdout).toContain(`ran in dev as ${devRun.releaseId} (2 runs)`);
    const [event] = (await auditTrail('workflow#support-reply')).filter((e) => e.type === 'release.promoted');
    expect(event).toMatchObject({
      actor: TEST_ADMIN,
      details: { releaseId: held!.toReleaseId, from: 'dev', to: 'staging', reason: 'dev signed it off', evidence: { stage: 'dev', releases: [{ releaseId: devRun.releaseId, runs: 2 }] }, previous: [] },
    });
    const stagingRun = await deliveredRun('T-stg-1');
    expect(stagingRun.releaseId).toBe(held!.toReleaseId);
    const again = await promote(['--from', 'dev', '--to', 'staging', '--from-data', devData]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`Every new run of support-reply in staging already goes to ${held!.toReleaseId}`);

    // The next start keeps it: the promoted release is this stage's deployment now.
    await runStage('staging', stagingData);
    expect(rt!.deployments.all()).toMatchObject([{ status: 'succeeded', toReleaseId: held!.toReleaseId }]);
    expect((await client(rt!).post('/webhooks/support-reply', { ticketId: 'T-stg-2', subject: 'Refund', body: 'How do I get a refund?' })).status).toBe(202);
  }, 240_000);

  it("checks this source tree's builds against the stage before's tables, as the pipeline's step does (promotes nothing)", async () => {
    const data = tmp('dev-check');
    /** `promote --all --check` with the environment CodeBuild gets: the stage before's tables (here dev's, its runtime stopped). */
    const check = async (stopped: LocalRuntime) => {
      const stage = readLocalStage(data)!;
      const emulators = await startEmulators({ dataDir: data });
      try {
        return await handrailCli(stopped, ['promote', '--all', '--from', 'dev', '--to', 'staging', '--check'], { as: TEST_ADMIN, env: { ...stage.tables, AWS_ENDPOINT_URL_DYNAMODB: emulators.dynamodbEndpoint } });
      } finally {
        await emulators.stop();
      }
    };
    const stop = async () => {
      const stopped = rt!;
      await stopped.stop();
      rt = undefined;
      return stopped;
    };
    await runStage('dev', data, defaultWorkflowsDir);
    const never = await check(await stop());
    expect(never.code).toBe(1);
    expect(never.stderr).toMatch(/support-reply: release rel-[0-9a-f]{16} never ran in dev/);

    await runStage('dev', data, defaultWorkflowsDir);
    const run = await deliveredRun('T-check-1');
    // Every shipped workflow's build must have run in dev.
    const rfp = await deliveredRfpRun('Globex');
    await rejectedSalesRun('4242');
    const kb = await deliveredKbRun('T-check-kb');
    await rejectedNotesRun('support-lead@example.com');
    const passed = await check(await stop());
    expect(passed).toMatchObject({ code: 0 });
    // staging's release differs from dev's by staging's delivery URL (stages.yaml) alone: the same build.
    const [, stagingRelease] = /support-reply: release (rel-[0-9a-f]{16}) ran in dev/.exec(passed.stdout)!;
    expect(stagingRelease).not.toBe(run.releaseId);
    expect(passed.stdout).toContain(`✓ support-reply: release ${stagingRelease} ran in dev as ${run.releaseId} (1 runs)`);
    expect(passed.stdout).toMatch(new RegExp(`✓ rfp-response: release rel-[0-9a-f]{16} ran in dev as ${rfp.releaseId} \\(1 runs\\)`));
    expect(passed.stdout).toMatch(new RegExp(`✓ kb-update: release rel-[0-9a-f]{16} ran in dev as ${kb.releaseId} \\(1 runs\\)`));
  }, 120_000);

  it('asks for a complete replay in the stage before when the rule says so, and takes one within tolerance', async () => {
    const wf = workflowsWith('', '{ minRuns: 1, replay: { maxOutcomeChangeRate: 0, maxRouteChangeRate: 0 } }');
    const [dev, staging] = [tmp('dev-replay'), tmp('staging-replay')];
    await runStage('dev', dev, wf);
    const run = await deliveredRun('T-replay-1');
    await runStage('staging', staging, wf);
    const noReplay = await promote(['--from', 'dev', '--to', 'staging', '--from-data', dev]);
    expect(noReplay.code).toBe(1);
    expect(noReplay.stderr).toContain(`staging asks for a complete replay of ${run.releaseId} in dev (release.promotion.replay); run npx handrail replay support-reply --release ${run.releaseId}`);

    // The release replays its own recorded run in dev: nothing changes, so staging takes it.
    await runStage('dev', dev, wf);
    const replayed = await handrailCli(rt!, ['replay', 'support-reply', '--release', run.releaseId!, '--from', run.createdAt, '--out', join(tmp('report'), 'report.json')], { as: TEST_ADMIN });
    expect(replayed.stdout).toContain('1 run(s): 0 changed outcome, 0 changed route');
    await runStage('staging', staging, wf);
    const promoted = await promote(['--from', 'dev', '--to', 'staging', '--from-data', dev]);
    expect(promoted.code, promoted.stderr).toBe(0);
    const [event] = (await auditTrail('workflow#support-reply')).filter((e) => e.type === 'release.promoted');
    expect(event!.details).toMatchObject({ evidence: { stage: 'dev', releases: [{ releaseId: run.releaseId, runs: 1 }], replay: { runs: 1, changedOutcome: 0, changedPath: 0 } } });
  }, 180_000);
});
