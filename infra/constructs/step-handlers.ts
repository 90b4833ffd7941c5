/**
 * One Lambda function per step kind, each with a role that grants only what that kind uses.
 */
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { FunctionKind } from '../../state-machines/compiler/index.js';
import type { DataLayer } from './data-layer.js';
import { HandrailFunction } from './handrail-function.js';

export interface StepHandlersProps {
  readonly data: DataLayer;
  readonly signingSecret: secretsmanager.ISecret;
  readonly environment: Record<string, string>;
}

export class StepHandlers extends Construct {
  readonly functions: Record<FunctionKind, HandrailFunction>;

  constructor(scope: Construct, id: string, props: StepHandlersProps) {
    super(scope, id);
    const { data } = props;
    const fn = (kind: FunctionKind, timeout: Duration) =>
      new HandrailFunction(this, `${kind[0]!.toUpperCase()}${kind.slice(1)}Function`, {
        entry: `functions/steps/${kind}/handler.ts`,
        kind,
        timeout,
        environment: props.environment,
      });

    const retrieve = fn('retrieve', Duration.seconds(30));
    data.knowledge.grantReadData(retrieve);
    data.knowledgeBucket.grantRead(retrieve);
    data.runs.grantWriteData(retrieve);

    const generate = fn('generate', Duration.minutes(2));
    data.runs.grantWriteData(generate);
    generate.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'InvokeFoundationModels',
        actions: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
        resources: ['arn:aws:bedrock:*::foundation-model/*', 'arn:aws:bedrock:*:*:inference-profile/*'],
      }),
    );

    const approval = fn('approval', Duration.seconds(30));
    data.approvals.grantReadWriteData(approval);
    data.runs.grantWriteData(approval);
    data.audit.grantWriteData(approval);
    props.signingSecret.grantRead(approval);

    const deliver = fn('deliver', Duration.minutes(2));
    data.runs.grantReadWriteData(deliver);
    data.audit.grantWriteData(deliver);
    props.signingSecret.grantRead(deliver);

    const finish = fn('finish', Duration.seconds(30));
    data.runs.grantWriteData(finish);
    data.approvals.grantWriteData(finish);
    data.audit.grantWriteData(finish);

    this.functions = { retrieve, generate, approval, deliver, finish };
  }
}
