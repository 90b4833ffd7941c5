/**
 * Runs never stay `running`: a function on the stage's state machines' "Execution Status Change"
 * events (FAILED, TIMED_OUT, ABORTED) ends the runs their state machine did not. A step that failed
 * for good fails its execution at that state (so it can be redriven there): its run goes to the
 * human queue and the workflow's queue owners are told (functions/runs/human-queue.ts). A state
 * over the 256 KB payload limit (`States.DataLimitExceeded`), a timeout or a stop ends it `failed`.
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledge, nagArn } from './acknowledge.js';
import type { DataLayer } from './data-layer.js';
import { HandrailFunction } from './handrail-function.js';
import type { Notifier } from './step-handlers.js';

export interface ExecutionStatusProps {
  readonly data: DataLayer;
  readonly environment: Record<string, string>;
  readonly stateMachines: sfn.IStateMachine[];
  /** It tells queue owners: the directory, the channels and their grants (StepHandlers.notifier). */
  readonly notifier: Notifier;
  /** The ARN prefix of the stage's state machines: it reads the version a failed execution ran (its release). */
  readonly stateMachinePrefix: string;
  /** Its lines name the runs of every workflow: the longest retention of them (infra/log-retention.ts). */
  readonly logRetention: logs.RetentionDays;
}

/** The statuses a state machine cannot record itself. */
export const UNRECORDED_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'];

export class ExecutionStatus extends Construct {
  readonly function: HandrailFunction;

  constructor(scope: Construct, id: string, props: ExecutionStatusProps) {
    super(scope, id);
    this.function = new HandrailFunction(this, 'Function', {
      entry: 'functions/events/execution-status/handler.ts',
      kind: 'execution-status',
      timeout: Duration.seconds(30),
      environment: { ...props.environment, ...props.notifier.environment },
      commandHooks: props.notifier.commandHooks,
      logRetention: props.logRetention,
    });
    // Reads the run, ends it, closes its waiting requests, appends an audit event; for the human
    // queue, reads the run's release (from its execution's version when the run does not name it)
    // and the last decision, and tells the owners.
    props.data.runs.grant(this.function, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    props.data.approvals.grant(this.function, 'dynamodb:UpdateItem');
    props.data.grantKeyReads(this.function);
    props.data.releases.grant(this.function, 'dynamodb:GetItem');
    props.notifier.grant(this.function);
    const executions = props.stateMachinePrefix.replace(':stateMachine:', ':execution:');
    this.function.addToRolePolicy(new iam.PolicyStatement({ sid: 'ReadFailedExecution', actions: ['states:DescribeExecution'], resources: [`${executions}*`] }));
    this.function.addToRolePolicy(new iam.PolicyStatement({ sid: 'ReadReleaseOfVersion', actions: ['states:DescribeStateMachine'], resources: [`${props.stateMachinePrefix}*`] }));
    const prefixName = (arn: string) => arn.split(':').at(-1)!;
    acknowledge(this.function, `IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${prefixName(props.stateMachinePrefix)}*]`,
      "the stage's executions, each named by its run id: any of them may fail, and the function reads the one whose status change it handles");
    acknowledge(this.function, `IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:stateMachine:${prefixName(props.stateMachinePrefix)}*]`,
      "the stage's state machine versions (numbered as they are published, named by name prefix to avoid a dependency cycle with the machines that trigger it): it reads the one a failed execution ran, for its release");
    props.data.grantAuditAppend(this.function);
    props.data.runs.grantOnKey(this.function, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*');
    acknowledge(this.function, 'IAM5[Action::kms:GenerateDataKey*]', "the data key action DynamoDB uses to encrypt an updated item (GenerateDataKey), on the stage's one data key only");
    for (const table of [props.data.runs, props.data.approvals]) {
      acknowledge(this.function, `IAM5[Resource::${nagArn(table, table.tableArn)}/index/*]`, "CDK's table grant also covers the table's own secondary indexes (table/index/*); the function reads and updates items by key only");
    }
    new events.Rule(this, 'Rule', {
      description: 'End the runs of executions that failed, timed out or were stopped outside their state machine',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { status: UNRECORDED_STATUSES, stateMachineArn: props.stateMachines.map((m) => m.stateMachineArn) },
      },
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 8, maxEventAge: Duration.hours(2) })],
    });
  }
}
