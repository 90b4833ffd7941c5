/**
 * One Standard state machine for one workflow definition: the compiler's ASL, with the step
 * functions substituted in, execution logging (ALL, with data) and X-Ray tracing.
 */
import { CfnDeletionPolicy, CfnResource, RemovalPolicy, Tags } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { compileWorkflow, stateMachineName, substitutionKey, type FunctionKind } from '../../state-machines/compiler/index.js';
import type { Directory } from '../../state-machines/directory.js';
import type { LoadedWorkflow } from '../../state-machines/load-workflow.js';
import type { Release } from '../../state-machines/release.js';
import { LIVE_ALIAS, liveAliasDescription } from '../../functions/shared/live-alias.js';
import { deploymentPreferenceOf } from '../../state-machines/rollout.js';
import { logRetentionOf } from '../log-retention.js';
import { acknowledge, nagArn } from './acknowledge.js';
import { ReleaseAlarms } from './release-alarms.js';

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
  readonly workflowId: string;
  readonly stateMachine: sfn.StateMachine;
  /** The version this deploy publishes (its description is the release id). */
  readonly version: sfn.CfnStateMachineVersion;
  /** Where runs start: the `live` alias, shifted to each new version as the workflow's rollout says. */
  readonly alias: sfn.CfnStateMachineAlias;

  constructor(scope: Construct, id: string, props: GovernedWorkflowProps) {
    super(scope, id);
    this.workflowId = props.workflow.definition.id;
    const { definition, functionKinds } = compileWorkflow(props.workflow.definition, props.directory, props.release.releaseId);
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
        // With execution data: the run's state, as long as the workflow keeps any of its records.
        destination: new logs.LogGroup(this, 'ExecutionLogs', { retention: logRetentionOf(props.workflow), removalPolicy: RemovalPolicy.RETAIN }),
        level: sfn.LogLevel.ALL,
        includeExecutionData: true,
      },
      comment: `${props.workflow.definition.name} (version ${props.workflow.version})`,
    });
    Tags.of(this.stateMachine).add(RELEASE_TAG, props.release.releaseId);
    // Every deploy that changes the definition publishes a version; the previous one is kept
    // (UpdateReplacePolicy: Retain) so the alias can still route to it while the new one bakes,
    // and runs waiting on it finish there.
    this.version = new sfn.CfnStateMachineVersion(this, 'Version', {
      stateMachineArn: this.stateMachine.stateMachineArn,
      stateMachineRevisionId: this.stateMachine.stateMachineRevisionId,
      description: props.release.releaseId,
    });
    this.version.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.RETAIN;
    // Kept on stack updates alike; deleting the state machine itself deletes its versions.
    this.version.cfnOptions.deletionPolicy = CfnDeletionPolicy.RETAIN;
    // Without a declared rollout, each release takes all new runs at once.
    const rollout = props.workflow.definition.release;
    const alarms = new ReleaseAlarms(this, 'ReleaseAlarms', { workflowId: props.workflow.definition.id, releaseId: props.release.releaseId, rollout });
    const preference = deploymentPreferenceOf(rollout);
    this.alias = new sfn.CfnStateMachineAlias(this, 'LiveAlias', {
      name: LIVE_ALIAS,
      description: liveAliasDescription(props.workflow.definition.id),
      deploymentPreference: {
        stateMachineVersionArn: this.version.attrArn,
        ...preference,
        ...(alarms.alarms.length ? { alarms: alarms.alarms.map((a) => a.alarmName) } : {}),
      },
    });
    (this.stateMachine.node.defaultChild as CfnResource).addMetadata(RELEASE_METADATA, props.release);
    for (const kind of functionKinds) {
      functionOf(kind).grantInvoke(this.stateMachine);
      acknowledge(this.stateMachine, `IAM5[Resource::${nagArn(this, functionOf(kind).functionArn)}:*]`, "the state machine invokes its step function; CDK's invoke grant also covers the function's versions and aliases (function:*)");
    }
    acknowledge(this.stateMachine, 'IAM5[Resource::*]',
      'execution logging (logs:CreateLogDelivery and the other log-delivery actions) and X-Ray tracing (xray:PutTraceSegments, GetSamplingRules…) take no resource, as Step Functions documents');
  }
}
