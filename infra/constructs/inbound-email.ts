/**
 * Email in (stages.yaml `email`): an SES receipt rule set whose rule, for the stage's receiving
 * addresses, scans the message (spam, virus), stores it raw in the stack's inbound mail bucket under
 * `inbound/` (the bucket policy lets SES put objects there, for this account only), then invokes the
 * email-trigger function (functions/triggers/email/handler.ts) asynchronously with its verdicts. The
 * function may read those objects, start runs of the workflows the addresses name and append audit
 * events: nothing else. SES allows one active rule set per region: activate it after deploy
 * (README, Email in and out).
 */
import { type CfnElement, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as actions from 'aws-cdk-lib/aws-ses-actions';
import { Construct } from 'constructs';
import { ENV } from '../../functions/shared/env-names.js';
import type { LoadedWorkflow } from '../../state-machines/load-workflow.js';
import type { StageConfig } from '../stage-config.js';
import { acknowledge } from './acknowledge.js';
import type { DataLayer } from './data-layer.js';
import type { GovernedWorkflow } from './governed-workflow.js';
import { HandrailFunction } from './handrail-function.js';
import { BUNDLED_DIRECTORY, BUNDLED_RELEASES, BUNDLED_WORKFLOWS_DIR, directoryCommands, releasesCommands, workflowCommands } from './json-assets.js';
import type { Directory } from '../../state-machines/directory.js';
import type { Release } from '../../state-machines/release.js';

/** Where SES stores inbound messages in the bucket (each as `<prefix><SES message id>`). */
export const INBOUND_MAIL_PREFIX = 'inbound/';

export interface InboundEmailProps {
  readonly stage: string;
  readonly email: NonNullable<StageConfig['email']>;
  readonly data: DataLayer;
  /** The stage's shared environment (tables, stage name). */
  readonly environment: Record<string, string>;
  readonly stateMachinePrefix: string;
  /** Every workflow of the stage, and the governed ones the receiving addresses start. */
  readonly workflows: readonly LoadedWorkflow[];
  readonly governed: readonly GovernedWorkflow[];
  readonly releases: readonly Release[];
  /** The reviewer directory: a reviewer the message's input names must be in it, as for a webhook. */
  readonly directory: Directory;
  readonly logRetention: logs.RetentionDays;
  /** Kept on stack deletion unless false. */
  readonly retainData: boolean;
}

export class InboundEmail extends Construct {
  readonly bucket: s3.Bucket;
  readonly function: HandrailFunction;
  readonly ruleSet: ses.ReceiptRuleSet;

  constructor(scope: Construct, id: string, props: InboundEmailProps) {
    super(scope, id);
    const { email, data } = props;
    // SES writes with S3-managed keys (a customer key would need SES in its key policy for every message).
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ prefix: INBOUND_MAIL_PREFIX, expiration: Duration.days(email.keepDays) }],
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      autoDeleteObjects: !props.retainData,
    });
    acknowledge(this.bucket, 'S1', 'SES is the only writer (bucket policy: this account, the inbound prefix) and the email-trigger function the only reader; what each message became is in the audit trail (email.received, email.quarantined, email.rejected)');

    const routes = Object.fromEntries(email.receive.map((r) => [r.address.toLowerCase(), r.workflow]));
    const receiving = new Set(email.receive.map((r) => r.workflow));
    this.function = new HandrailFunction(this, 'Function', {
      entry: 'functions/triggers/email/handler.ts',
      kind: 'email-trigger',
      timeout: Duration.seconds(60),
      memorySize: 1024,
      logRetention: props.logRetention,
      environment: {
        ...props.environment,
        [ENV.stateMachinePrefix]: props.stateMachinePrefix,
        [ENV.workflowsDir]: `/var/task/${BUNDLED_WORKFLOWS_DIR}`,
        [ENV.releasesFile]: `/var/task/${BUNDLED_RELEASES}`,
        [ENV.directoryFile]: `/var/task/${BUNDLED_DIRECTORY}`,
        [ENV.inboundMailBucket]: this.bucket.bucketName,
        [ENV.inboundMailPrefix]: INBOUND_MAIL_PREFIX,
        [ENV.emailRoutes]: JSON.stringify(routes),
      },
      commandHooks: {
        beforeBundling: () => [],
        beforeInstall: () => [],
        // It validates each message's input against the definitions the state machines were compiled
        // from, and the reviewers it names against the directory.
        afterBundling: (_inputDir: string, outputDir: string) => [
          ...workflowCommands(outputDir, [...props.workflows]),
          ...releasesCommands(outputDir, [...props.releases]),
          ...directoryCommands(outputDir, props.directory),
        ],
      },
    });
    // Exactly what its code sends: reads the stored message, creates and reads runs (one per
    // message: conditional put, read back on a retry, marked when the start fails), records the
    // release a run starts on, appends audit events, starts executions through the live alias.
    this.function.addToRolePolicy(new iam.PolicyStatement({ sid: 'ReadInboundMail', actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [this.bucket.arnForObjects(`${INBOUND_MAIL_PREFIX}*`)] }));
    acknowledge(this.function, `IAM5[Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnElement)}.Arn>/${INBOUND_MAIL_PREFIX}*]`, 'each message is stored under the inbound prefix with the id SES gives it on arrival: the prefix is the narrowest scope');
    data.grantTable(data.runs, this.function, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem');
    data.grantTable(data.releases, this.function, 'dynamodb:PutItem');
    data.grantAuditAppend(this.function);
    for (const wf of props.governed.filter((w) => receiving.has(w.workflowId))) {
      this.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [`${wf.stateMachine.stateMachineArn}:*`] }));
      acknowledge(this.function, `IAM5[Resource::<${Stack.of(this).getLogicalId(wf.stateMachine.node.defaultChild as CfnElement)}>:*]`, "the workflow's own live alias (aliases are named by the state machine's ARN and the alias name): runs start only through it");
    }

    this.ruleSet = new ses.ReceiptRuleSet(this, 'RuleSet', { receiptRuleSetName: `handrail-${props.stage}` });
    this.ruleSet.addRule('Receive', {
      recipients: email.receive.map((r) => r.address),
      scanEnabled: true,
      tlsPolicy: ses.TlsPolicy.REQUIRE,
      actions: [
        new actions.S3({ bucket: this.bucket, objectKeyPrefix: INBOUND_MAIL_PREFIX }),
        new actions.Lambda({ function: this.function, invocationType: actions.LambdaInvocationType.EVENT }),
      ],
    });
  }
}
