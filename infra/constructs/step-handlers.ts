/**
 * One Lambda function per step kind, each with a role that grants exactly the actions its code
 * sends (tests/infra/least-privilege.test.ts derives them from each function's bundle); retrieval
 * gets one function per workflow, whose role reads only that workflow's knowledge collections.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ENV } from '../../functions/shared/env-names.js';
import type { FunctionKind } from '../../state-machines/compiler/index.js';
import type { Directory } from '../../state-machines/directory.js';
import { acknowledge } from './acknowledge.js';
import type { DataLayer } from './data-layer.js';
import { grantSecretValue } from './grant-secret-value.js';
import { HandrailFunction, type HandrailFunctionProps } from './handrail-function.js';
import { BUNDLED_DIRECTORY, directoryCommands, priceTableCommands } from './json-assets.js';

export interface StepHandlersProps {
  readonly data: DataLayer;
  readonly signingSecret: secretsmanager.ISecret;
  /** The key that signs deliveries (Standard Webhooks); only the deliver function reads it. */
  readonly deliverySecret: secretsmanager.ISecret;
  readonly environment: Record<string, string>;
  /** Slack and Teams credentials (JSON); the functions that notify read it, and the deliver function when a workflow delivers to Slack. */
  readonly channelSecrets: secretsmanager.ISecret;
  /** A workflow's deliver step posts to Slack: the deliver function reads the Slack bot token. @default false */
  readonly slackDelivery?: boolean;
  /** Verified SES sender of approval emails; without it, email is off. */
  readonly emailFrom?: string;
  /** The sender of email replies (stages.yaml `email.from`), where a workflow's deliver step replies by email. */
  readonly replyFrom?: string;
  /** What only the deliver function reads: the URL behind each deliver step's `urlFromEnv`. */
  readonly deliveryEnvironment: Record<string, string>;
  /** The stage's connector tokens (stages.yaml zendesk, hubspot), read by the deliver function only. @default none: no connector */
  readonly connectorSecrets?: readonly secretsmanager.ISecret[];
  /** The reviewer directory the workflows were compiled with; the notifying functions ship it. */
  readonly directory: Directory;
  /** What only the model callers (generate, classify) read: provider settings. */
  readonly modelEnvironment: Record<string, string>;
  /** The OpenAI key (JSON `{apiKey}`), when the stage enables OpenAI; only the model callers read it. */
  readonly openAiSecret?: secretsmanager.ISecret;
  /**
   * How long the log groups of the functions every workflow shares keep lines: the longest
   * retention of the stage's workflows (infra/log-retention.ts). A workflow's own retrieve function
   * keeps its lines by that workflow's alone ({@link StepHandlers.retrieverFor}).
   */
  readonly logRetention: logs.RetentionDays;
}

/** The step kinds one function serves for every workflow: all but retrieval (see {@link StepHandlers.retrieverFor}). */
export type SharedFunctionKind = Exclude<FunctionKind, 'retrieve'>;

/**
 * What a function that tells people something needs (functions/notifications): the reviewer
 * directory it ships (as JSON), the channel settings, and, granted by `grant`, the channel
 * credentials and sending email from the stage's sender; nothing about review links.
 */
export interface Notifier {
  readonly environment: Record<string, string>;
  readonly commandHooks: NonNullable<HandrailFunctionProps['commandHooks']>;
  grant(f: HandrailFunction): void;
}

export class StepHandlers extends Construct {
  readonly functions: Record<SharedFunctionKind, HandrailFunction>;
  readonly notifier: Notifier;
  private readonly data: DataLayer;
  private readonly environment: Record<string, string>;
  private readonly fn: (kind: FunctionKind, timeout: Duration, extra?: Pick<HandrailFunctionProps, 'commandHooks' | 'logRetention'> & { environment?: Record<string, string>; id?: string }) => HandrailFunction;
  private readonly stepRecords: (f: HandrailFunction) => void;
  readonly reminders: HandrailFunction;
  readonly auditCheckpoint: HandrailFunction;
  readonly reconciler: HandrailFunction;

  constructor(scope: Construct, id: string, props: StepHandlersProps) {
    super(scope, id);
    const { data } = props;
    this.data = data;
    this.environment = props.environment;
    const fn = (this.fn = (kind, timeout, extra = {}) =>
      new HandrailFunction(this, extra.id ?? `${kind[0]!.toUpperCase()}${kind.slice(1)}Function`, {
        entry: `functions/steps/${kind}/handler.ts`,
        kind,
        timeout,
        environment: { ...props.environment, ...extra.environment },
        commandHooks: extra.commandHooks,
        logRetention: extra.logRetention ?? props.logRetention,
      }));

    // Step records go out as PutItem (one) or BatchWriteItem (several in one turn): records/runs.ts.
    const writeStepRecords = (f: HandrailFunction) => data.grantTable(data.runs, f, 'dynamodb:PutItem', 'dynamodb:BatchWriteItem');
    // Every step reads what its run stored (functions/steps/run-view.ts): the run, its step records
    // and the decided approval's text, by key, in one BatchGetItem (records/consistent-reads.ts).
    const readRunView = (f: HandrailFunction) => data.grantKeyReads(f);

    this.stepRecords = (f) => {
      writeStepRecords(f);
      readRunView(f);
    };

    // Functions that call models (generate, classify) price each call from the price table they
    // ship with, as JSON (functions/usage/prices.ts, ./json-assets.ts), keep provider
    // cooldowns and usage counters in the gateway table (read, conditional updates, ADD: nothing
    // more) and may invoke Bedrock models.
    const modelCaller = (kind: 'generate' | 'classify', timeout: Duration) => {
      const f = fn(kind, timeout, {
        environment: props.modelEnvironment,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string) => priceTableCommands(outputDir),
        },
      });
      writeStepRecords(f);
      readRunView(f);
      data.grantTable(data.gateway, f, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
      if (props.openAiSecret) grantSecretValue(props.openAiSecret, f);
      // Converse (functions/gateway/providers/bedrock.ts) is authorized as InvokeModel; nothing streams.
      f.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'InvokeFoundationModels',
          actions: ['bedrock:InvokeModel'],
          resources: ['arn:aws:bedrock:*::foundation-model/*', 'arn:aws:bedrock:*:*:inference-profile/*'],
        }),
      );
      const models = 'each workflow names its own models (state-machines/workflows), and a cross-region inference profile routes a call to any region of its geography; the action is InvokeModel only';
      acknowledge(f, 'IAM5[Resource::arn:aws:bedrock:*::foundation-model/*]', models);
      acknowledge(f, 'IAM5[Resource::arn:aws:bedrock:*:*:inference-profile/*]', models);
      return f;
    };
    const generate = modelCaller('generate', Duration.minutes(2));
    const classify = modelCaller('classify', Duration.minutes(2));

    // The approval function notifies reviewers (functions/notifications): it reads the reviewer
    // directory it ships with (as JSON), the channel credentials, and may send email, nothing else.
    // The signing secret is named only where it is used: reviewer links (notifiers, API), delivery signatures and audit checkpoints.
    const signing = { [ENV.signingSecretArn]: props.signingSecret.secretArn };
    const stack = Stack.of(this);
    const sendEmail = new iam.PolicyStatement({
      sid: 'SendNotificationEmail',
      actions: ['ses:SendEmail'],
      resources: [stack.formatArn({ service: 'ses', resource: 'identity', resourceName: '*' })],
      ...(props.emailFrom ? { conditions: { StringEquals: { 'ses:FromAddress': props.emailFrom } } } : {}),
    });
    this.notifier = {
      environment: {
        [ENV.directoryFile]: `/var/task/${BUNDLED_DIRECTORY}`,
        [ENV.channelSecretsArn]: props.channelSecrets.secretArn,
        [ENV.emailTransport]: 'ses',
        ...(props.emailFrom ? { [ENV.emailFrom]: props.emailFrom } : {}),
      },
      commandHooks: {
        beforeBundling: () => [],
        beforeInstall: () => [],
        afterBundling: (_inputDir: string, outputDir: string) => directoryCommands(outputDir, props.directory),
      },
      grant: (f) => {
        grantSecretValue(props.channelSecrets, f);
        f.addToRolePolicy(sendEmail);
        acknowledge(f, 'IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*]',
          "SES authorizes SendEmail on the sender's identity and, in the SES sandbox, on each recipient's (reviewers from the directory); the sender is pinned by the ses:FromAddress condition when the stage declares one");
      },
    };
    const notifierEnvironment = { ...signing, ...this.notifier.environment };
    const bundleDirectory = this.notifier.commandHooks;
    // Stores the request (conditional put; a retry reads it back and swaps the token), closes the
    // previous level, reads and updates autonomy figures, marks the run; audit events are appended.
    const approval = fn('approval', Duration.seconds(30), { environment: notifierEnvironment, commandHooks: bundleDirectory });
    data.grantTable(data.approvals, approval, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem');
    data.grantTable(data.runs, approval, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    readRunView(approval);
    data.grantAuditAppend(approval);
    grantSecretValue(props.signingSecret, approval);
    this.notifier.grant(approval);

    // Reads the run (never deliver twice) and the decided text, records the delivery, signs with the
    // delivery key; with Zendesk or HubSpot, reads its token; with Slack, the channel credentials.
    const slackDelivery: Record<string, string> = props.slackDelivery ? { [ENV.channelSecretsArn]: props.channelSecrets.secretArn } : {};
    const emailReplies: Record<string, string> = props.replyFrom ? { [ENV.emailTransport]: 'ses', [ENV.emailReplyFrom]: props.replyFrom } : {};
    const deliver = fn('deliver', Duration.minutes(2), { environment: { [ENV.deliverySecretArn]: props.deliverySecret.secretArn, ...slackDelivery, ...emailReplies, ...props.deliveryEnvironment } });
    // Email replies (functions/steps/deliver/email-delivery.ts) leave from the stage's reply address only.
    if (props.replyFrom) {
      deliver.addToRolePolicy(new iam.PolicyStatement({
        sid: 'SendEmailReplies',
        actions: ['ses:SendEmail'],
        resources: [stack.formatArn({ service: 'ses', resource: 'identity', resourceName: '*' })],
        conditions: { StringEquals: { 'ses:FromAddress': props.replyFrom } },
      }));
      acknowledge(deliver, 'IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*]',
        "SES authorizes SendEmail on the sender's identity and, in the SES sandbox, on the recipient's (each customer who wrote in); the sender is pinned to the stage's reply address by the ses:FromAddress condition");
    }
    readRunView(deliver);
    data.grantTable(data.runs, deliver, 'dynamodb:UpdateItem');
    // A delivery to Zendesk or HubSpot writes its step record: every API call it made.
    writeStepRecords(deliver);
    data.grantAuditAppend(deliver);
    grantSecretValue(props.deliverySecret, deliver);
    for (const secret of props.connectorSecrets ?? []) grantSecretValue(secret, deliver);
    // A deliver step with slack posts with the approval channels' Slack bot token.
    if (props.slackDelivery) grantSecretValue(props.channelSecrets, deliver);

    // Ends the run, expires a timed-out request: conditional updates and audit events only.
    const finish = fn('finish', Duration.seconds(30));
    data.grantTable(data.runs, finish, 'dynamodb:UpdateItem');
    data.grantTable(data.approvals, finish, 'dynamodb:UpdateItem');
    data.grantAuditAppend(finish);

    // Approval reminders: a sweep every five minutes over pending approvals (functions/scheduled).
    this.reminders = new HandrailFunction(this, 'RemindersFunction', {
      entry: 'functions/scheduled/reminders/handler.ts',
      kind: 'reminders',
      logRetention: props.logRetention,
      timeout: Duration.minutes(2),
      environment: { ...props.environment, ...notifierEnvironment },
      commandHooks: bundleDirectory,
    });
    // Queries pending requests, claims each reminder with a conditional update, reads it to notify;
    // the same for the runs waiting in the human queue past their SLA (the byHumanQueue index),
    // whose owners it reads from the run's release.
    data.grantTable(data.approvals, this.reminders, 'dynamodb:Query', 'dynamodb:UpdateItem');
    data.grantTable(data.runs, this.reminders, 'dynamodb:Query', 'dynamodb:UpdateItem');
    data.grantKeyReads(this.reminders);
    data.grantTable(data.releases, this.reminders, 'dynamodb:GetItem');
    data.grantAuditAppend(this.reminders);
    grantSecretValue(props.signingSecret, this.reminders);
    this.notifier.grant(this.reminders);
    new events.Rule(this, 'RemindersSchedule', {
      description: 'Remind reviewers of pending approvals whose step declares reminderEvery, and queue owners of runs past their SLA',
      schedule: events.Schedule.rate(Duration.minutes(5)),
      targets: [new targets.LambdaFunction(this.reminders, { retryAttempts: 2 })],
    });

    // The decision reconciler: a sweep every minute resumes runs whose recorded decision was lost
    // on its way to Step Functions (functions/scheduled/reconcile-decisions).
    this.reconciler = new HandrailFunction(this, 'ReconcileDecisionsFunction', {
      entry: 'functions/scheduled/reconcile-decisions/handler.ts',
      kind: 'reconcile-decisions',
      logRetention: props.logRetention,
      timeout: Duration.minutes(5),
      environment: props.environment,
    });
    // Exactly what it does: query the sparse index, clear it, read runs, append audit events.
    data.grantTable(data.approvals, this.reconciler, 'dynamodb:Query', 'dynamodb:UpdateItem');
    data.grantTable(data.runs, this.reconciler, 'dynamodb:GetItem');
    data.grantAuditAppend(this.reconciler);
    new events.Rule(this, 'ReconcileDecisionsSchedule', {
      description: 'Resume runs whose recorded approval decision did not reach Step Functions',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(this.reconciler, { retryAttempts: 2 })],
    });

    // Audit checkpoints: every five minutes the heads of the streams that grew are signed
    // (functions/scheduled/audit-checkpoint): it reads the trail and appends to it, nothing else.
    this.auditCheckpoint = new HandrailFunction(this, 'AuditCheckpointFunction', {
      entry: 'functions/scheduled/audit-checkpoint/handler.ts',
      kind: 'audit-checkpoint',
      logRetention: props.logRetention,
      timeout: Duration.minutes(5),
      environment: { ...props.environment, ...signing },
    });
    data.grantTable(data.audit, this.auditCheckpoint, 'dynamodb:Scan', 'dynamodb:Query', 'dynamodb:PutItem');
    grantSecretValue(props.signingSecret, this.auditCheckpoint);
    new events.Rule(this, 'AuditCheckpointSchedule', {
      description: 'Sign the heads of the audit streams that grew (tamper-evident audit trail)',
      schedule: events.Schedule.rate(Duration.minutes(5)),
      targets: [new targets.LambdaFunction(this.auditCheckpoint, { retryAttempts: 2 })],
    });

    this.functions = { generate, classify, approval, deliver, finish };
  }

  /**
   * The retrieve function of one workflow: lists the latest versions of its collections, reads
   * their objects, records its step; it may read no other collection, in IAM and in its code
   * (HANDRAIL_READABLE_COLLECTIONS, functions/knowledge/collection-access.ts).
   */
  retrieverFor(workflowId: string, collections: readonly string[], logRetention: logs.RetentionDays): HandrailFunction {
    const suffix = pascal(workflowId);
    const retrieve = this.fn('retrieve', Duration.seconds(30), { id: `Retrieve${suffix}Function`, environment: { [ENV.readableCollections]: collections.join(',') }, logRetention });
    this.data.grantCollectionsRead(retrieve, collections);
    this.stepRecords(retrieve);
    return retrieve;
  }

  /**
   * The deliver function of one workflow that writes knowledge (deliver steps' `knowledge`): it
   * alone may add versions to the collections that name the workflow as a publisher, in IAM and in
   * its code (HANDRAIL_WRITABLE_COLLECTIONS); it reads the run, records its step and the run's
   * delivery, appends the audit events, and sends nothing anywhere else.
   */
  publisherFor(workflowId: string, collections: readonly string[], logRetention: logs.RetentionDays): HandrailFunction {
    const publish = new HandrailFunction(this, `Deliver${pascal(workflowId)}KnowledgeFunction`, {
      entry: 'functions/steps/deliver/knowledge-handler.ts',
      kind: 'deliver-knowledge',
      timeout: Duration.minutes(1),
      environment: { ...this.environment, [ENV.writableCollections]: collections.join(',') },
      logRetention,
    });
    this.data.grantCollectionsWrite(publish, collections);
    this.stepRecords(publish);
    this.data.grantTable(this.data.runs, publish, 'dynamodb:UpdateItem');
    this.data.grantAuditAppend(publish);
    return publish;
  }
}

/** `kb-update` → `KbUpdate`, for construct ids. */
const pascal = (id: string): string => id.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase());
