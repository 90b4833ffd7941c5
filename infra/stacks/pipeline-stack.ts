/**
 * The pipeline that takes a change from the repository through the stages, one way (stages.yaml
 * `pipeline`, infra/pipeline-config.ts): CDK Pipelines builds the app from the source, deploys
 * each stage in order, and before a stage that takes releases from another runs the promotion
 * check (`npx handrail promote --all --from <before> --to <stage> --check`: every workflow's build
 * must have ended runs in the stage before, as its `release.promotion` asks; functions/releases/
 * promotion-evidence.ts reads them from that stage's tables) and, before the stages in
 * `approvalBefore`, waits for a person's approval (CodePipeline records who approved and their comment).
 *
 * `npx cdk deploy -c stage=pipeline` deploys it once; from then on it updates itself from the branch.
 */
import { Stack, Stage, type StackProps } from 'aws-cdk-lib';
import { PipelineType } from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CodeBuildStep, CodePipeline, CodePipelineSource, ManualApprovalStep, ShellStep, type Step } from 'aws-cdk-lib/pipelines';
import type { Construct } from 'constructs';
import { stageBefore, type PipelineConfig } from '../pipeline-config.js';
import type { HandrailStack } from './handrail-stack.js';

export const PIPELINE_STAGE = 'pipeline';

export interface PipelineStackProps extends StackProps {
  readonly pipeline: PipelineConfig;
  /** Builds one stage's Handrail stack (named `Handrail-<stage>`) inside the pipeline's Stage. */
  readonly stageStack: (scope: Construct, stage: string) => HandrailStack;
}

/** One stage of the pipeline: its Handrail stack, deployed by the pipeline. */
class HandrailStage extends Stage {
  readonly stack: HandrailStack;
  constructor(scope: Construct, stage: string, stageStack: PipelineStackProps['stageStack']) {
    super(scope, stage);
    this.stack = stageStack(this, stage);
  }
}

export class PipelineStack extends Stack {
  readonly pipeline: CodePipeline;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { order, approvalBefore, source } = props.pipeline;
    if (!source) throw new Error('stages.yaml: pipeline.source is required to deploy the pipeline: the repository (owner/name), branch and CodeConnections connectionArn it builds from');
    const input = CodePipelineSource.connection(source.repository, source.branch, { connectionArn: source.connectionArn });
    this.pipeline = new CodePipeline(this, 'Pipeline', {
      pipelineName: 'Handrail',
      pipelineType: PipelineType.V2,
      synth: new ShellStep('Synth', { input, commands: ['npm ci', `npx cdk synth -c stage=${PIPELINE_STAGE}`] }),
    });
    const stages = new Map<string, HandrailStage>();
    for (const name of order) {
      const stage = new HandrailStage(this, name, props.stageStack);
      stages.set(name, stage);
      const before = stageBefore(props.pipeline, name);
      const pre: Step[] = [];
      if (before) pre.push(this.promotionCheck(input, before, name, stages.get(before)!.stack));
      if (approvalBefore.includes(name)) {
        const approval = new ManualApprovalStep(`Approve-${name}`, { comment: `Deploy to ${name}${before ? ` what ran in ${before} (the check before this passed)` : ''}? Approve with your reason: the pipeline keeps who approved and why.` });
        // Nobody is asked before the check has passed.
        if (pre[0]) approval.addStepDependency(pre[0]);
        pre.push(approval);
      }
      this.pipeline.addStage(stage, { pre });
    }
  }

  /** Reads the stage before's tables (only those: its outputs name them) and refuses what did not run there. */
  private promotionCheck(input: CodePipelineSource, from: string, to: string, fromStack: HandrailStack): CodeBuildStep {
    const tables = this.formatArn({ service: 'dynamodb', resource: 'table', resourceName: `${fromStack.stackName}-*` });
    return new CodeBuildStep(`Check-${from}-to-${to}`, {
      input,
      commands: ['npm ci', `npx handrail promote --all --from ${from} --to ${to} --check`],
      envFromCfnOutputs: fromStack.evidenceTables,
      rolePolicyStatements: [
        new iam.PolicyStatement({ actions: ['dynamodb:Scan', 'dynamodb:Query', 'dynamodb:GetItem'], resources: [tables, `${tables}/index/*`] }),
        // The tables are encrypted with the stage's key; decrypting is allowed only through DynamoDB.
        new iam.PolicyStatement({
          actions: ['kms:Decrypt', 'kms:DescribeKey'],
          resources: [this.formatArn({ service: 'kms', resource: 'key', resourceName: '*' })],
          conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${this.region}.amazonaws.com` } },
        }),
      ],
    });
  }
}
