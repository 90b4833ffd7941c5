/**
 * Local deployments of a template's versions and aliases, moved on by the rollout monitor on a fake
 * clock: a linear rollout gains its share every interval until it has all new runs; a release whose
 * counts break its rule is rolled back; an unchanged template leaves the alias alone; a deployment
 * in progress survives a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalDeployments } from '../../local/deployments.js';
import { RolloutMonitor, type RolloutEvent } from '../../local/rollout-monitor.js';
import { LocalStepFunctions } from '../../local/stepfunctions/engine.js';
import { TemplateReader, type CfnTemplate } from '../../local/template-reader.js';
import { emptyCounts, type ReleaseCounts } from '../../state-machines/rollout.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function templateOf(text: string, releaseId: string, preference: Record<string, unknown>): TemplateReader {
  const template = {
    Resources: {
      Machine: { Type: 'AWS::StepFunctions::StateMachine', Properties: { StateMachineName: 'greeter', DefinitionString: JSON.stringify({ StartAt: 'Say', States: { Say: { Type: 'Pass', Result: text, End: true } } }) } },
      Version: { Type: 'AWS::StepFunctions::StateMachineVersion', Properties: { StateMachineArn: { Ref: 'Machine' }, Description: releaseId } },
      Alias: { Type: 'AWS::StepFunctions::StateMachineAlias', Properties: { Name: 'live', DeploymentPreference: { StateMachineVersionArn: { 'Fn::GetAtt': ['Version', 'Arn'] }, ...preference } } },
    },
  } as unknown as CfnTemplate;
  return new TemplateReader(template);
}

function setUp(dir = mkdtempSync(join(tmpdir(), 'rollout-'))) {
  dirs.push(dir);
  const engine = new LocalStepFunctions({ invokeLambda: async () => ({}), persistenceDir: dir });
  const deployments = new LocalDeployments(engine, dir);
  const deploy = async (reader: TemplateReader) => {
    for (const sm of reader.stateMachines()) engine.registerStateMachine({ name: sm.name, definition: sm.definition });
    return deployments.apply(reader);
  };
  return { dir, engine, deployments, deploy };
}

const ALIAS = 'arn:aws:states:us-east-1:000000000000:stateMachine:greeter:live';
const routing = async (engine: LocalStepFunctions) => (await engine.describeStateMachineAlias(ALIAS)).routingConfiguration;

describe('local rollouts', () => {
  it('shifts a linear rollout every interval until the new release has every new run', async () => {
    const { engine, deployments, deploy } = setUp();
    const linear = { Type: 'LINEAR', Percentage: 40, Interval: 10 };
    const [first] = await deploy(templateOf('v1', 'rel-a', linear));
    expect(first).toMatchObject({ status: 'succeeded', weight: 100, toReleaseId: 'rel-a' });
    // Deploying the same template again changes nothing.
    await deploy(templateOf('v1', 'rel-a', linear));
    expect(deployments.all()[0]).toBe(first);

    const [deployment] = await deploy(templateOf('v2', 'rel-b', linear));
    expect(deployment).toMatchObject({ status: 'in_progress', weight: 40, fromReleaseId: 'rel-a', toReleaseId: 'rel-b', watched: false });
    expect(await routing(engine)).toEqual([{ stateMachineVersionArn: `${ALIAS.replace(':live', '')}:1`, weight: 60 }, { stateMachineVersionArn: `${ALIAS.replace(':live', '')}:2`, weight: 40 }]);

    let now = Date.parse(deployment!.startedAt);
    const events: RolloutEvent[] = [];
    const monitor = new RolloutMonitor({ deployments, engine, ruleFor: () => undefined, countsFor: async () => emptyCounts(), onEvent: async (e) => void events.push(e), now: () => now });
    now += 9 * 60_000;
    await monitor.check();
    expect(deployment!.weight).toBe(40);
    now += 2 * 60_000;
    await monitor.check();
    expect(deployment!.weight).toBe(80);
    expect((await routing(engine)).map((r) => r.weight)).toEqual([20, 80]);
    now += 10 * 60_000;
    await monitor.check();
    expect(deployment).toMatchObject({ status: 'succeeded', weight: 100 });
    expect(await routing(engine)).toEqual([{ stateMachineVersionArn: `${ALIAS.replace(':live', '')}:2`, weight: 100 }]);
    expect(events.map((e) => e.type)).toEqual(['release.deployed']);
  });

  it("rolls a watched canary back when its counts break the release's rule, and only then", async () => {
    const { engine, deployments, deploy } = setUp();
    const canary = { Type: 'CANARY', Percentage: 10, Interval: 30, Alarms: [{ Ref: 'RejectionAlarm' }] };
    await deploy(templateOf('v1', 'rel-a', canary));
    const [deployment] = await deploy(templateOf('v2', 'rel-b', canary));
    let counts: ReleaseCounts = { ...emptyCounts(), runs: 3, decisions: 3, rejected: 3 };
    const events: RolloutEvent[] = [];
    const monitor = new RolloutMonitor({
      deployments, engine, ruleFor: (id) => (id === 'rel-b' ? { rejectionRateAbove: 0.2, minDecisions: 4 } : undefined),
      countsFor: async () => counts, onEvent: async (e) => void events.push(e),
    });
    await monitor.check(); // three rejections of three: not judged before four decisions
    expect(deployment).toMatchObject({ status: 'in_progress', weight: 10 });
    counts = { ...emptyCounts(), runs: 5, decisions: 5, rejected: 2, approved: 3 };
    await monitor.check();
    expect(deployment).toMatchObject({ status: 'rolled_back', weight: 0, reason: 'rejectionRateAbove 0.2: 0.40' });
    expect(await routing(engine)).toEqual([{ stateMachineVersionArn: `${ALIAS.replace(':live', '')}:1`, weight: 100 }]);
    expect(events).toEqual([expect.objectContaining({ type: 'release.rolled_back', details: expect.objectContaining({ breached: [{ rule: 'rejectionRateAbove', rate: 0.4, threshold: 0.2 }] }) })]);
  });

  it('goes on with a deployment in progress after a restart', async () => {
    const first = setUp();
    const canary = { Type: 'CANARY', Percentage: 10, Interval: 30 };
    await first.deploy(templateOf('v1', 'rel-a', canary));
    await first.deploy(templateOf('v2', 'rel-b', canary));
    first.engine.closeJournal();
    const second = setUp(first.dir);
    await second.deploy(templateOf('v2', 'rel-b', canary));
    expect(second.deployments.inProgress()).toEqual([expect.objectContaining({ toReleaseId: 'rel-b', weight: 10 })]);
    expect((await routing(second.engine)).map((r) => r.weight)).toEqual([90, 10]);
  });
});
