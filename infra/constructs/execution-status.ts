/**
 * Runs never stay `running`: a function on the stage's state machines' "Execution Status Change"
 * events (FAILED, TIMED_OUT, ABORTED) ends the runs their state machine could not record, e.g. a
 * state over the 256 KB payload limit (`States.DataLimitExceeded`, which no Catch handles).
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledge, nagArn } from './acknowledge.js';
import type { DataLayer } from './data-layer.js';
import { HandrailFunction } from './handrail-function.js';

export interface ExecutionStatusProps {
  readonly data: DataLayer;
  readonly environment: Record<string, string>;
  readonly stateMachines: sfn.IStateMachine[];
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
      environment: props.environment,
      logRetention: props.logRetention,
    });
    // Reads the run, ends it, closes its waiting requests, appends an audit event.
    props.data.runs.grant(this.function, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    props.data.approvals.grant(this.function, 'dynamodb:UpdateItem');
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
