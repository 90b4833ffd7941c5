/**
 * The pipeline (`-c stage=pipeline`, stages.yaml `pipeline`): CDK Pipelines deploys the stages in
 * order, each stage after the first behind the promotion check that reads the stage before's tables
 * (and only those), the stages in approvalBefore behind a manual approval that waits for the check;
 * a malformed pipeline entry is refused naming its key.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp, buildPipelineApp } from '../../infra/app-factory.js';
import { checkPromotionPath, loadPipelineConfig } from '../../infra/pipeline-config.js';
import { ENV } from '../../functions/shared/env-names.js';

const FIXTURE = 'tests/fixtures/stages/stages.yaml';
const withPipeline = (pipeline: string) => {
  const file = join(mkdtempSync(join(tmpdir(), 'pipeline-')), 'stages.yaml');
  writeFileSync(file, `${readFileSync(FIXTURE, 'utf8').replace(/\npipeline:[\s\S]*$/, '\n')}${pipeline}`);
  return file;
};

describe('the pipeline stack', () => {
  const { app, stack } = buildPipelineApp({ bundling: false, outdir: mkdtempSync(join(tmpdir(), 'cdk-')) });
  const template = Template.fromStack(stack);
  const [pipeline] = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
  const stages = pipeline!.Properties.Stages as { Name: string; Actions: { Name: string; RunOrder: number; ActionTypeId: { Category: string; Provider: string }; Configuration: any }[] }[];
  const actions = (stage: string) => stages.find((s) => s.Name === stage)!.Actions.sort((a, b) => a.RunOrder - b.RunOrder);

  it('builds from the repository and deploys dev, staging and prod in that order, each as its own Handrail stack', () => {
    expect(pipeline!.Properties.PipelineType).toBe('V2');
    expect(stages.map((s) => s.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'Assets', 'dev', 'staging', 'prod']);
    expect(actions('Source')[0]).toMatchObject({ ActionTypeId: { Category: 'Source', Provider: 'CodeStarSourceConnection' }, Configuration: { FullRepositoryId: 'acme/handrail', BranchName: 'main' } });
    const assembly = app.synth();
    const names = ['dev', 'staging', 'prod'].flatMap((stage) => assembly.getNestedAssembly(`assembly-Handrail-pipeline-${stage}`).stacks.map((s) => s.stackName));
    expect(names).toEqual(['Handrail-dev', 'Handrail-staging', 'Handrail-prod']);
    expect(actions('dev').map((a) => a.ActionTypeId.Category)).toEqual(['Deploy', 'Deploy']);
  });

  it('checks every stage after the first against the stage before, and asks a person before prod only after the check passed', () => {
    expect(actions('staging').map((a) => [a.Name, a.ActionTypeId.Provider])).toEqual([['Check-dev-to-staging', 'CodeBuild'], ['Handrail-staging.Prepare', 'CloudFormation'], ['Handrail-staging.Deploy', 'CloudFormation']]);
    expect(actions('prod').map((a) => [a.Name, a.ActionTypeId.Category, a.RunOrder])).toEqual([
      ['Check-staging-to-prod', 'Build', 1],
      ['Approve-prod', 'Approval', 2],
      ['Handrail-prod.Prepare', 'Deploy', 3],
      ['Handrail-prod.Deploy', 'Deploy', 4],
    ]);
    expect(actions('prod')[1]!.ActionTypeId.Provider).toBe('Manual');
  });

  it("runs the promotion check with the stage before's tables, and may read only those", () => {
    const projects = Object.values(template.findResources('AWS::CodeBuild::Project')).map((p) => JSON.stringify(p.Properties.Source.BuildSpec));
    const check = projects.find((spec) => spec.includes('--to prod'))!;
    expect(check).toContain('npx handrail promote --all --from staging --to prod --check');
    // The staging stack's table outputs arrive as the variables the records modules read.
    const checkAction = actions('prod')[0]!;
    const env = JSON.parse(checkAction.Configuration.EnvironmentVariables) as { name: string; value: string }[];
    expect(env.map((e) => e.name).sort()).toEqual([ENV.approvalsTable, ENV.releasesTable, ENV.runsTable].sort());
    // Read from the staging stack's deploy action's outputs (its variables namespace).
    const namespace = actions('staging').find((a) => a.Name === 'Handrail-staging.Deploy')! as unknown as { Namespace: string };
    expect(env.map((e) => e.value).sort()).toEqual(['ApprovalsTableName', 'ReleasesTableName', 'RunsTableName'].map((o) => `#{${namespace.Namespace}.${o}}`));
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).toContain(':table/Handrail-staging-*');
    expect(policies).toContain('"dynamodb:Scan","dynamodb:Query","dynamodb:GetItem"');
    expect(policies).not.toMatch(/dynamodb:(PutItem|UpdateItem|DeleteItem)/);
  });

  it('gives each stage stack the table outputs the next check reads', () => {
    const staging = Template.fromStack(buildApp({ stage: 'staging', bundling: false, outdir: mkdtempSync(join(tmpdir(), 'cdk-')) }).stack);
    expect(Object.keys(staging.findOutputs('*'))).toEqual(expect.arrayContaining(['RunsTableName', 'ApprovalsTableName', 'ReleasesTableName']));
  });
});

describe('pipeline configuration', () => {
  it('defaults to dev → staging → prod with an approval before the last', () => {
    const file = withPipeline('');
    expect(loadPipelineConfig(file)).toEqual({ order: ['dev', 'staging', 'prod'], approvalBefore: ['prod'] });
    expect(() => buildPipelineApp({ bundling: false, stagesFile: file, outdir: mkdtempSync(join(tmpdir(), 'cdk-')) })).toThrow(/pipeline\.source is required/);
  });

  it.each([
    ['one stage', 'pipeline: { order: [prod] }', /pipeline\.order: at least two stages/],
    ['a stage twice', 'pipeline: { order: [dev, prod, dev] }', /pipeline\.order: each stage once/],
    ['an approval before an unknown stage', 'pipeline: { order: [dev, prod], approvalBefore: [qa] }', /pipeline\.approvalBefore\.0: qa is not in order/],
    ['a bad connection', 'pipeline: { source: { repository: acme/handrail, connectionArn: nope } }', /pipeline\.source\.connectionArn: a CodeConnections connection ARN/],
    ['an unknown key', 'pipeline: { stages: [dev] }', /pipeline: Unrecognized key/],
  ])('refuses %s, naming the key', (_what, yaml, message) => {
    expect(() => loadPipelineConfig(withPipeline(yaml))).toThrow(message);
  });

  it('lets promotion go one way, one stage at a time', () => {
    const pipeline = loadPipelineConfig(FIXTURE);
    expect(() => checkPromotionPath(pipeline, 'staging', 'prod')).not.toThrow();
    expect(() => checkPromotionPath(pipeline, 'prod', 'staging')).toThrow('staging takes releases only from dev (promotion goes one way, one stage at a time: dev → staging → prod)');
    expect(() => checkPromotionPath(pipeline, 'dev', 'prod')).toThrow('prod takes releases only from staging');
    expect(() => checkPromotionPath(pipeline, 'qa', 'prod')).toThrow('qa is not a stage of the pipeline');
  });

  it('is not a stage: -c stage=pipeline builds the pipeline', () => {
    expect(() => buildApp({ stage: 'pipeline', bundling: false })).toThrow(/builds the pipeline, not a stage/);
  });
});
