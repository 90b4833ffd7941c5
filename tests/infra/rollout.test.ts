/**
 * Each workflow's rollout in the template: a version per deploy (retained, described by its release
 * id), a live alias deployed to it as the workflow's `release:` says, one alarm per rollback rule on
 * the release's own metrics, and the API starting runs through the alias only.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app-factory.js';
import { defaultWorkflowsDir } from '../../state-machines/load-workflow.js';
import { METRICS_NAMESPACE, RELEASE_COUNTS } from '../../state-machines/rollout.js';

function templateWith(release?: string): Template {
  const workflowsDir = mkdtempSync(join(tmpdir(), 'rollout-wf-'));
  // support-reply alone: the machine, versions and alias this test reads are its own.
  cpSync(join(defaultWorkflowsDir, 'support-reply.yaml'), join(workflowsDir, 'support-reply.yaml'));
  const file = join(workflowsDir, 'support-reply.yaml');
  if (release) writeFileSync(file, `${readFileSync(file, 'utf8')}\n${release}\n`);
  return Template.fromStack(buildApp({ stage: 'dev', bundling: false, workflowsDir, outdir: mkdtempSync(join(tmpdir(), 'cdk-')) }).stack);
}

const resourcesOf = (template: Template, type: string) => Object.entries(template.findResources(type));

describe('rollout in the template', () => {
  const canary = templateWith('release:\n  strategy: canary\n  percent: 10\n  bake: 30m\n  rollbackWhen: { approvalRateBelow: 0.8, rejectionRateAbove: 0.2, needsHumanRateAbove: 0.05, errorRateAbove: 0.02, minDecisions: 20 }');

  it('publishes a version per deploy, kept when replaced, described by the release id', () => {
    const [[, version]] = resourcesOf(canary, 'AWS::StepFunctions::StateMachineVersion');
    const [[machineId, machine]] = resourcesOf(canary, 'AWS::StepFunctions::StateMachine');
    expect(version).toMatchObject({
      UpdateReplacePolicy: 'Retain',
      Properties: { StateMachineArn: { Ref: machineId }, StateMachineRevisionId: { 'Fn::GetAtt': [machineId, 'StateMachineRevisionId'] }, Description: machine!.Metadata['handrail:release'].releaseId },
    });
    // The release id is the first state's, so the run records what served it.
    const definition = JSON.stringify(machine!.Properties.DefinitionString);
    expect(definition).toContain(`\\"StartAt\\":\\"Release\\"`);
    expect(definition).toContain(`\\"Result\\":\\"${machine!.Metadata['handrail:release'].releaseId}\\"`);
  });

  it('deploys the live alias as a canary watched by one alarm per rule', () => {
    const [[versionId]] = resourcesOf(canary, 'AWS::StepFunctions::StateMachineVersion');
    const [[, alias]] = resourcesOf(canary, 'AWS::StepFunctions::StateMachineAlias');
    const alarms = resourcesOf(canary, 'AWS::CloudWatch::Alarm').filter(([id]) => id.includes('ReleaseAlarms'));
    expect(alarms).toHaveLength(4);
    expect(alias!.Properties).toMatchObject({
      Name: 'live',
      DeploymentPreference: { StateMachineVersionArn: { 'Fn::GetAtt': [versionId, 'Arn'] }, Type: 'CANARY', Percentage: 10, Interval: 30 },
    });
    expect(alias!.Properties.DeploymentPreference.Alarms).toEqual(expect.arrayContaining(alarms.map(([id]) => ({ Ref: id }))));
  });

  it("judges each rule on the release's own counts, only after minDecisions", () => {
    const alarms = resourcesOf(canary, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const rejection = alarms.find((a) => a.AlarmDescription.includes('rejectionRateAbove'))!;
    const approval = alarms.find((a) => a.AlarmDescription.includes('approvalRateBelow'))!;
    expect(rejection).toMatchObject({ Threshold: 0.2, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching', EvaluationPeriods: 1 });
    expect(approval).toMatchObject({ Threshold: 0.8, ComparisonOperator: 'LessThanThreshold' });
    const expression = rejection.Metrics.find((m: any) => m.Expression);
    expect(expression.Expression).toBe('IF(d >= 20, n / d, 0)');
    const metrics = Object.fromEntries(rejection.Metrics.filter((m: any) => m.MetricStat).map((m: any) => [m.Id, m.MetricStat]));
    expect(metrics.n.Metric).toMatchObject({ Namespace: METRICS_NAMESPACE, MetricName: RELEASE_COUNTS.rejected });
    expect(metrics.d.Metric.MetricName).toBe(RELEASE_COUNTS.decisions);
    expect(metrics.n.Metric.Dimensions).toEqual(expect.arrayContaining([{ Name: 'Workflow', Value: 'support-reply' }, { Name: 'Release', Value: expect.stringMatching(/^rel-/) }, { Name: 'service', Value: 'handrail' }]));
    expect(metrics.n).toMatchObject({ Period: 1800, Stat: 'Sum' });
  });

  it('deploys all at once, unwatched, when the workflow declares no rollout', () => {
    const plain = templateWith();
    const [[, alias]] = resourcesOf(plain, 'AWS::StepFunctions::StateMachineAlias');
    expect(alias!.Properties.DeploymentPreference).toEqual({ StateMachineVersionArn: expect.anything(), Type: 'ALL_AT_ONCE' });
    expect(resourcesOf(plain, 'AWS::CloudWatch::Alarm').filter(([id]) => id.includes('ReleaseAlarms'))).toEqual([]);
  });

  it('lets the API start executions on versions and aliases only, never on the unreleased $LATEST', () => {
    const [[machineId]] = resourcesOf(canary, 'AWS::StepFunctions::StateMachine');
    const statements = resourcesOf(canary, 'AWS::IAM::Policy')
      .filter(([id]) => id.startsWith('ApiFunction'))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
    const starts = statements.filter((s) => [s.Action].flat().includes('states:StartExecution'));
    expect(starts.map((s) => s.Resource)).toEqual([{ 'Fn::Join': ['', [{ Ref: machineId }, ':*']] }]);
  });

  it('refuses a rollout that cannot be deployed, naming the field', () => {
    expect(() => templateWith('release:\n  strategy: canary\n  bake: 30m')).toThrow(/release\.percent.*percent \(1-99\)/s);
    expect(() => templateWith('release:\n  strategy: linear\n  percent: 20\n  bake: 45s')).toThrow(/release\.bake/);
    expect(() => templateWith('release:\n  strategy: canary\n  percent: 10\n  bake: 30m\n  rollbackWhen: { rejectionRate: 0.2 }')).toThrow(/rejectionRate/);
  });
});
