/**
 * One Standard state machine for one workflow definition: the compiler's ASL, with the step
 * functions substituted in, execution logging (ALL, with data) and X-Ray tracing.
 */
import { CfnResource, RemovalPolicy, Tags } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { compileWorkflow, stateMachineName, substitutionKey, type FunctionKind } from '../../state-machines/compiler/index.js';
import type { Directory } from '../../state-machines/directory.js';
import type { LoadedWorkflow } from '../../state-machines/load-workflow.js';
import type { Release } from '../../state-machines/release.js';
import { acknowledge, nagArn } from './acknowledge.js';

/** The state machine's release: its id as a tag, its manifest as template metadata (read by the local runtime). */
export const RELEASE_TAG = 'handrail:release';
export const RELEASE_METADATA = 'handrail:release';

export interface GovernedWorkflowProps {
  readonly stage: string;
  readonly workflow: LoadedWorkflow;
  /** Resolves reviewer groups when the workflow is compiled. */
  readonly directory: Directory;
  /** The function behind each step kind the workflow uses (retrieval: the workflow's own). */
  readonly functions: Partial<Record<FunctionKind, lambda.IFunction>>;
  /** What the workflow is released as on this stage (state-machines/release.ts). */
  readonly release: Release;
}

export class GovernedWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: GovernedWorkflowProps) {
    super(scope, id);
    const { definition, functionKinds } = compileWorkflow(props.workflow.definition, props.directory);
    const functionOf = (kind: FunctionKind): lambda.IFunction => {
      const fn = props.functions[kind];
      if (!fn) throw new Error(`Workflow ${props.workflow.definition.id} has ${kind} steps but no ${kind} function was given`);
      return fn;
    };
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: stateMachineName(props.stage, props.workflow.definition.id),
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(JSON.stringify(definition)),
      definitionSubstitutions: Object.fromEntries(functionKinds.map((k) => [substitutionKey(k), functionOf(k).functionArn])),
      tracingEnabled: true,
      logs: {
        destination: new logs.LogGroup(this, 'ExecutionLogs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN }),
        level: sfn.LogLevel.ALL,
        includeExecutionData: true,
      },
      comment: `${props.workflow.definition.name} (version ${props.workflow.version})`,
    });
    Tags.of(this.stateMachine).add(RELEASE_TAG, props.release.releaseId);
    (this.stateMachine.node.defaultChild as CfnResource).addMetadata(RELEASE_METADATA, props.release);
    for (const kind of functionKinds) {
      functionOf(kind).grantInvoke(this.stateMachine);
      acknowledge(this.stateMachine, `IAM5[Resource::${nagArn(this, functionOf(kind).functionArn)}:*]`, "the state machine invokes its step function; CDK's invoke grant also covers the function's versions and aliases (function:*)");
    }
    acknowledge(this.stateMachine, 'IAM5[Resource::*]',
      'execution logging (logs:CreateLogDelivery and the other log-delivery actions) and X-Ray tracing (xray:PutTraceSegments, GetSamplingRules…) take no resource, as Step Functions documents');
  }
}
