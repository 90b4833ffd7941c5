/**
 * One Handrail stage (dev, staging, prod): data layer, signing secret, step functions, one state
 * machine per workflow, the HTTP API, and (deployed stages) the Cognito user pool people sign in with
 * and the auditors' exports.
 */
import { Aspects, CfnElement, CfnOutput, Duration, Fn, Stack, type StackProps, ArnFormat } from 'aws-cdk-lib';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { LOCAL_AUDIENCE, LOCAL_ISSUER_PATH } from '../../functions/auth/local-identity.js';
import { SIGN_IN_CALLBACK_PATH } from '../../functions/api/route-table.js';
import { ROLES } from '../../functions/auth/roles.js';
import { ENV } from '../../functions/shared/env-names.js';
import { EncryptLogGroups } from '../aspects/encrypt-log-groups.js';
import { stateMachineName } from '../../state-machines/compiler/index.js';
import { collectionsReadBy, collectionsWrittenBy, type Collections } from '../../state-machines/collections.js';
import type { Directory } from '../../state-machines/directory.js';
import type { LoadedWorkflow } from '../../state-machines/load-workflow.js';
import { acknowledge } from '../constructs/acknowledge.js';
import { AuditExports } from '../constructs/audit-exports.js';
import { DataLayer } from '../constructs/data-layer.js';
import { deliveryTargets, LOCAL_STAGE, stagesFile, type StageConfig } from '../stage-config.js';
import { KnowledgeSync } from '../constructs/knowledge-sync.js';
import { grantSecretValue } from '../constructs/grant-secret-value.js';
import { ExecutionStatus } from '../constructs/execution-status.js';
import { GovernedWorkflow } from '../constructs/governed-workflow.js';
import { HandrailFunction } from '../constructs/handrail-function.js';
import { HandrailHttpApi } from '../constructs/http-api.js';
import { Identity } from '../constructs/identity.js';
import { InboundEmail, INBOUND_MAIL_PREFIX } from '../constructs/inbound-email.js';
import { Observability } from '../constructs/observability.js';
import { stageReleases } from '../stage-releases.js';
import { logRetentionOf, sharedLogRetention } from '../log-retention.js';
import { EVIDENCE_TABLES } from '../../functions/releases/promotion-evidence.js';
import { BUNDLED_COLLECTIONS, BUNDLED_DIRECTORY, BUNDLED_RELEASES, BUNDLED_WORKFLOWS_DIR, collectionsCommands, directoryCommands, releasesCommands, workflowCommands } from '../constructs/json-assets.js';
import { StepHandlers } from '../constructs/step-handlers.js';
import { vendorSecretName } from '../../functions/triggers/webhook-secrets.js';
import { VENDOR_SIGNATURES } from '../../functions/triggers/vendor-signatures.js';
import { VENDOR_TRIGGER_AUTH, type VendorTriggerAuth } from '../../state-machines/schema.js';

export interface HandrailStackProps extends StackProps {
  readonly stage: string;
  readonly workflows: LoadedWorkflow[];
  readonly directory: Directory;
  /** The knowledge collections (state-machines/collections.yaml), checked against the workflows. */
  readonly collections: Collections;
  /** The stage's deploy configuration (stages.yaml, validated: infra/stage-config.ts). */
  readonly config: StageConfig;
}

export class HandrailStack extends Stack {
  readonly data: DataLayer;
  readonly workflows: GovernedWorkflow[];
  /**
   * The tables a promotion reads this stage's evidence from (functions/releases/promotion-evidence.ts),
   * as outputs named by the variable the records modules read: the pipeline's check before the next
   * stage gets them as its environment.
   */
  readonly evidenceTables: Record<string, CfnOutput>;

  constructor(scope: Construct, id: string, props: HandrailStackProps) {
    super(scope, id, props);
    const { stage, config } = props;
    this.data = new DataLayer(this, 'Data', { retainData: stage !== 'dev' });
    Aspects.of(this).add(new EncryptLogGroups(this.data.key));
    const signingSecret = new secretsmanager.Secret(this, 'SigningSecret', {
      description: `Handrail ${stage}: HMAC key for reviewer links and delivery signatures`,
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    // Approval channels: one JSON secret the operator fills in after deploy (empty = channel off).
    const channelSecrets = new secretsmanager.Secret(this, 'ChannelSecrets', {
      description: `Handrail ${stage}: approval channels {slackBotToken, slackSigningSecret, teamsWebhookUrl}; empty values turn a channel off`,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ slackBotToken: '', slackSigningSecret: '', teamsWebhookUrl: '' }),
        generateStringKey: 'unused',
        excludePunctuation: true,
      },
    });
    // The key that signs deliveries (Standard Webhooks, whsec_ without the prefix: 44 letters and
    // digits are valid base64), apart from the signing secret: receivers verify with it and can forge nothing.
    const deliverySecret = new secretsmanager.Secret(this, 'DeliverySecret', {
      description: `Handrail ${stage}: the key that signs deliveries (Standard Webhooks); give it to the receivers`,
      generateSecretString: { excludePunctuation: true, passwordLength: 44, includeSpace: false },
    });
    acknowledge(deliverySecret, 'SMG4', 'the receivers hold this key; operators rotate it together with them, not on a schedule');
    new CfnOutput(this, 'DeliverySecretArn', { value: deliverySecret.secretArn, description: 'Key that signs deliveries (Standard Webhooks): receivers verify with it' });
    acknowledge(signingSecret, 'SMG4', 'rotating the HMAC key invalidates every outstanding review link, inbox link and personal reviewer token at once; operators rotate it deliberately (README, Known limits), not on a schedule');
    acknowledge(channelSecrets, 'SMG4', 'Slack and Teams issue these credentials; Secrets Manager cannot rotate them: operators rotate them at Slack or Teams and put the new values here');
    const http = new HandrailHttpApi(this, 'Http');
    // Deployed stages sign people in with their own user pool; locally, the runtime's issuer does.
    if (stage !== LOCAL_STAGE && !config.identity) throw new Error(`Stage ${stage} has no identity settings; declare ${stage}.identity in stages.yaml (see README, Deploy to AWS)`);
    const identity = config.identity && stage !== LOCAL_STAGE ? new Identity(this, 'Identity', { stage, config: config.identity, retain: stage !== 'dev', apiSignInCallback: Fn.join('', [http.api.apiEndpoint, SIGN_IN_CALLBACK_PATH]) }) : undefined;
    const stateMachinePrefix = this.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: stateMachineName(stage, ''),
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    const environment: Record<string, string> = {
      [ENV.stage]: stage,
      [ENV.runsTable]: this.data.runs.tableName,
      [ENV.approvalsTable]: this.data.approvals.tableName,
      [ENV.auditTable]: this.data.audit.tableName,
      [ENV.knowledgeTable]: this.data.knowledge.tableName,
      [ENV.gatewayTable]: this.data.gateway.tableName,
      [ENV.apiKeysTable]: this.data.apiKeys.tableName,
      [ENV.releasesTable]: this.data.releases.tableName,
      [ENV.knowledgeBucket]: this.data.knowledgeBucket.bucketName,
      [ENV.publicUrl]: http.api.apiEndpoint,
      [ENV.enabledProviders]: config.providers.join(','),
    };

    // The OpenAI key: a secret the operator fills after deploy ({"apiKey": "sk-…"}), never an env value.
    const openAiSecret = config.providers.includes('openai')
      ? new secretsmanager.Secret(this, 'OpenAiSecret', {
          description: `Handrail ${stage}: the OpenAI (or compatible) API key, as {"apiKey": "…"}`,
          generateSecretString: { secretStringTemplate: JSON.stringify({ apiKey: '' }), generateStringKey: 'unused', excludePunctuation: true },
        })
      : undefined;
    if (openAiSecret) acknowledge(openAiSecret, 'SMG4', 'OpenAI (or the compatible provider) issues the key; Secrets Manager cannot rotate it: operators rotate it there and put the new key here');
    const modelEnvironment: Record<string, string> = {
      ...(openAiSecret ? { [ENV.openAiSecretArn]: openAiSecret.secretArn } : {}),
      ...(config.openai?.baseUrl ? { [ENV.openAiBaseUrl]: config.openai.baseUrl } : {}),
      ...(config.bedrock?.region ? { [ENV.bedrockRegion]: config.bedrock.region } : {}),
    };
    // Each deliver step's target; locally, a target the stage does not declare is the runtime's own sink.
    const deliveryEnvironment: Record<string, string> = {};
    for (const [name, { workflowId }] of deliveryTargets(props.workflows, config)) {
      deliveryEnvironment[name] = config.delivery[name] ?? Fn.join('', [http.api.apiEndpoint, `/sink/${workflowId}`]);
    }
    // Zendesk (stages.yaml zendesk): the account and agent, and the agent's API token in a secret the
    // operator fills after deploy ({"apiToken": "…"}), never an env value; only the deliver function reads it.
    const actsOnZendesk = props.workflows.some((w) => w.definition.steps.some((st) => st.kind === 'deliver' && st.zendesk));
    const zendeskSecret = config.zendesk && actsOnZendesk
      ? new secretsmanager.Secret(this, 'ZendeskSecret', {
          description: `Handrail ${stage}: the API token of ${config.zendesk.email} at ${config.zendesk.url}, as {"apiToken": "…"}`,
          generateSecretString: { secretStringTemplate: JSON.stringify({ apiToken: '' }), generateStringKey: 'unused', excludePunctuation: true },
        })
      : undefined;
    if (zendeskSecret) {
      acknowledge(zendeskSecret, 'SMG4', 'Zendesk issues the API token; Secrets Manager cannot rotate it: operators rotate it in Zendesk and put the new one here');
      new CfnOutput(this, 'ZendeskSecretArn', { value: zendeskSecret.secretArn, description: 'Put the Zendesk API token here, as {"apiToken": "…"}' });
      Object.assign(deliveryEnvironment, { [ENV.zendeskUrl]: config.zendesk!.url, [ENV.zendeskEmail]: config.zendesk!.email, [ENV.zendeskSecretArn]: zendeskSecret.secretArn });
    }
    // HubSpot (stages.yaml hubspot): the API, and a private app's access token in a secret the
    // operator fills after deploy ({"accessToken": "…"}); only the deliver function reads it.
    const actsOnHubspot = props.workflows.some((w) => w.definition.steps.some((st) => st.kind === 'deliver' && st.hubspot));
    const hubspotSecret = config.hubspot && actsOnHubspot
      ? new secretsmanager.Secret(this, 'HubspotSecret', {
          description: `Handrail ${stage}: the access token of the HubSpot private app that logs approved texts on contacts, as {"accessToken": "…"}`,
          generateSecretString: { secretStringTemplate: JSON.stringify({ accessToken: '' }), generateStringKey: 'unused', excludePunctuation: true },
        })
      : undefined;
    if (hubspotSecret) {
      acknowledge(hubspotSecret, 'SMG4', 'HubSpot issues the private app token; Secrets Manager cannot rotate it: operators rotate it in HubSpot and put the new one here');
      new CfnOutput(this, 'HubspotSecretArn', { value: hubspotSecret.secretArn, description: 'Put the HubSpot private app access token here, as {"accessToken": "…"}' });
      Object.assign(deliveryEnvironment, { [ENV.hubspotUrl]: config.hubspot!.url, [ENV.hubspotSecretArn]: hubspotSecret.secretArn });
    }

    // Functions every workflow shares keep their lines as long as the longest-kept workflow's records.
    const logRetention = sharedLogRetention(props.workflows);
    const steps = new StepHandlers(this, 'Steps', {
      data: this.data, signingSecret, deliverySecret, environment, channelSecrets, emailFrom: config.channels.emailFrom, deliveryEnvironment, connectorSecrets: [zendeskSecret, hubspotSecret].filter((x): x is secretsmanager.Secret => x !== undefined), modelEnvironment, openAiSecret, directory: props.directory, logRetention,
      slackDelivery: props.workflows.some((w) => w.definition.steps.some((s) => s.kind === 'deliver' && s.slack)),
      // Replies by email leave from the stage's address (stages.yaml email.from) where a deliver step says email.
      ...(config.email && props.workflows.some((w) => w.definition.steps.some((s) => s.kind === 'deliver' && s.email)) ? { replyFrom: config.email.from } : {}),
    });
    // What each workflow is released as here: definition, reviewers, this stage's delivery URLs, prices, knowledge.
    const releases = stageReleases(props.workflows, props.directory, config);
    this.workflows = props.workflows.map((workflow, i) => {
      const collections = collectionsReadBy(workflow);
      // Retrieval reads only the workflow's own collections (IAM): one function per workflow that retrieves.
      const retriever = collections.length ? { retrieve: steps.retrieverFor(workflow.definition.id, collections, logRetentionOf(workflow)) } : {};
      // Knowledge edits are written by the workflow's own deliver function, the only one that may write those collections.
      const written = collectionsWrittenBy(workflow);
      const publisher = written.length ? { deliver: steps.publisherFor(workflow.definition.id, written, logRetentionOf(workflow)) } : {};
      const functions = { ...steps.functions, ...retriever, ...publisher };
      return new GovernedWorkflow(this, `Workflow-${workflow.definition.id}`, { stage, workflow, directory: props.directory, functions, release: releases[i]! });
    });
    // Collections that follow an S3 prefix on a schedule (stages.yaml knowledgeSync).
    const unknownSynced = Object.keys(config.knowledgeSync).find((c) => !props.collections.collections[c]);
    if (unknownSynced) throw new Error(`${stagesFile()}: ${stage}.knowledgeSync.${unknownSynced}: no such collection in the collections file (declare it there first)`);
    if (Object.keys(config.knowledgeSync).length) new KnowledgeSync(this, 'KnowledgeSync', { data: this.data, sources: config.knowledgeSync, environment, logRetention });
    // Email in (stages.yaml email.receive): SES stores each message and starts a run of the workflow its address names.
    if (config.email) {
      const inbound = new InboundEmail(this, 'InboundEmail', {
        stage, email: config.email, data: this.data, environment, stateMachinePrefix, workflows: props.workflows, governed: this.workflows, releases, directory: props.directory, logRetention, retainData: stage !== 'dev',
      });
      new CfnOutput(this, 'InboundMailBucketName', { value: inbound.bucket.bucketName, description: `Raw inbound email (${INBOUND_MAIL_PREFIX}<SES message id>), kept ${config.email.keepDays} days` });
      new CfnOutput(this, 'ReceiptRuleSetName', { value: inbound.ruleSet.receiptRuleSetName, description: 'Activate it once: aws ses set-active-receipt-rule-set --rule-set-name <this>' });
    }
    new ExecutionStatus(this, 'ExecutionStatus', { data: this.data, environment, stateMachines: this.workflows.map((w) => w.stateMachine), logRetention, notifier: steps.notifier, stateMachinePrefix });
    // Graduated autonomy: the approval function resumes the runs it auto-approves. Granted on the
    // stage's machines by name prefix: naming each machine would make the function depend on the
    // machines that invoke it (a dependency cycle).
    // A retried approval state (new task token) resumes with a decision recorded before the retry.
    // The reconciler resumes runs whose recorded decision was lost on its way.
    steps.functions.approval.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'ResumeDecidedRuns', actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'], resources: [`${stateMachinePrefix}*`] }),
    );
    steps.reconciler.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'ResumeDecidedRuns', actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'], resources: [`${stateMachinePrefix}*`] }),
    );
    for (const resumer of [steps.functions.approval, steps.reconciler]) {
      acknowledge(resumer, `IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:stateMachine:${stateMachineName(stage, '')}*]`,
        "the stage's own state machines, by name prefix: naming each machine would make the function depend on the machines that invoke it (a cycle); the actions resume a task only");
    }

    // Each workflow whose trigger takes signed webhooks has its own secret (Standard Webhooks), named
    // so the API finds it by workflow id; senders get it from the operator (output below).
    const webhookSecretPrefix = `handrail/${stage}/webhooks/`;
    const webhookSecrets = props.workflows
      .filter((w) => w.definition.trigger.auth.includes('signature'))
      .map((w) => {
        const secret = new secretsmanager.Secret(this, `WebhookSecret-${w.definition.id}`, {
          secretName: `${webhookSecretPrefix}${w.definition.id}`,
          description: `Handrail ${stage}: the Standard Webhooks secret that signs calls to POST /webhooks/${w.definition.id}`,
          // 44 letters and digits: valid base64 (33 bytes of key), as Standard Webhooks secrets are.
          generateSecretString: { excludePunctuation: true, passwordLength: 44, includeSpace: false },
        });
        acknowledge(secret, 'SMG4', 'the webhook sender holds this secret; operators rotate it together with the sender, not on a schedule');
        new CfnOutput(this, `WebhookSecret${w.definition.id.replace(/[^A-Za-z0-9]/g, '')}`, { value: secret.secretName, description: `Secret that signs webhooks of workflow ${w.definition.id} (give it to the sender)` });
        return secret;
      });
    // Each workflow whose trigger takes a vendor's signature (Zendesk, HubSpot): the vendor makes that
    // secret, so the stack makes a placeholder the operator replaces with it (README, Zendesk and
    // HubSpot); only the API reads it.
    const vendorWebhookSecrets = props.workflows.flatMap((w) =>
      w.definition.trigger.auth
        .filter((auth): auth is VendorTriggerAuth => (VENDOR_TRIGGER_AUTH as readonly string[]).includes(auth))
        .map((vendor) => {
          const { label } = VENDOR_SIGNATURES[vendor];
          const secret = new secretsmanager.Secret(this, `${label}WebhookSecret-${w.definition.id}`, {
            secretName: `${webhookSecretPrefix}${vendorSecretName(w.definition.id, vendor)}`,
            description: `Handrail ${stage}: the ${label} secret that signs the webhook calls of POST /webhooks/${w.definition.id} (put ${label}'s here)`,
            generateSecretString: { excludePunctuation: true, passwordLength: 44, includeSpace: false },
          });
          acknowledge(secret, 'SMG4', `${label} makes this secret; operators reset it in ${label} and put the new one here, not on a schedule`);
          new CfnOutput(this, `${label}WebhookSecret${w.definition.id.replace(/[^A-Za-z0-9]/g, '')}`, { value: secret.secretName, description: `Put the ${label} signing secret of workflow ${w.definition.id}'s webhook here` });
          return secret;
        }),
    );

    // Per-caller request limits (stages.yaml limits, resolved with the defaults) and their counters.
    const requestLimits = { [ENV.throttleTable]: this.data.throttle.tableName, [ENV.throttleLimits]: JSON.stringify(config.limits) };
    const signIn = {
      // Whose ID tokens the API accepts: the stage's user pool and app client; locally the
      // runtime's embedded issuer, on its own URL. The keys are at <issuer>/.well-known/jwks.json.
      ...(identity
        ? { [ENV.authIssuer]: identity.issuer, [ENV.authAudience]: identity.client.userPoolClientId }
        : { [ENV.authIssuer]: Fn.join('', [http.api.apiEndpoint, LOCAL_ISSUER_PATH]), [ENV.authAudience]: LOCAL_AUDIENCE }),
      // Browser sign-in (the API as the issuer's relying party) comes back here; https → Secure cookies.
      [ENV.authRedirectUrl]: Fn.join('', [http.api.apiEndpoint, SIGN_IN_CALLBACK_PATH]),
    };
    // The knowledge store (table and bucket) is the knowledge function's (below): the API's code reaches neither.
    const { [ENV.knowledgeTable]: _knowledgeTable, [ENV.knowledgeBucket]: _knowledgeBucket, ...apiEnvironment } = environment;
    const apiFunction = new HandrailFunction(this, 'ApiFunction', {
      entry: 'functions/api/handler.ts',
      kind: 'api',
      timeout: Duration.seconds(29),
      logRetention,
      environment: {
        ...apiEnvironment,
        [ENV.stateMachinePrefix]: stateMachinePrefix,
        [ENV.signingSecretArn]: signingSecret.secretArn,
        [ENV.workflowsDir]: `/var/task/${BUNDLED_WORKFLOWS_DIR}`,
        [ENV.directoryFile]: `/var/task/${BUNDLED_DIRECTORY}`,
        [ENV.releasesFile]: `/var/task/${BUNDLED_RELEASES}`,
        // Slack: verifies interactions (signing secret), opens modals and updates messages (bot token).
        [ENV.channelSecretsArn]: channelSecrets.secretArn,
        ...requestLimits,
        ...(webhookSecrets.length || vendorWebhookSecrets.length ? { [ENV.webhookSecretPrefix]: webhookSecretPrefix } : {}),
        ...signIn,
      },
      commandHooks: {
        beforeBundling: () => [],
        beforeInstall: () => [],
        // The API validates webhook bodies against the workflow definitions it ships with, the
        // ones the state machines were compiled from (as JSON, like the directory: json-assets.ts).
        afterBundling: (_inputDir: string, outputDir: string) => [
          ...workflowCommands(outputDir, props.workflows),
          ...directoryCommands(outputDir, props.directory),
          ...releasesCommands(outputDir, releases),
        ],
      },
    });
    // Exactly what the API's code sends (tests/infra/least-privilege.test.ts): runs are created,
    // read, listed (Scan without a workflow filter) and updated; decisions are conditional updates
    // of approvals and autonomy figures; audit events are appended and read. No knowledge table,
    // no bucket: the knowledge routes are the knowledge function's, and an erasure redacts the
    // stored citations where they are kept (a step's passages, an approval's sources), not the documents.
    this.data.grantTable(this.data.runs, apiFunction, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:Scan');
    // An erasure (POST /erasures) reads runs and approvals whole (Scan) and updates what held the person's data.
    this.data.grantTable(this.data.approvals, apiFunction, 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:Scan');
    this.data.grantKeyReads(apiFunction);
    this.data.grantAuditAppend(apiFunction);
    // audit verify reads the whole trail; an erasure too, and rewrites the events it redacts with a
    // PutItem conditioned on the event's hash (functions/records/audit.ts rewriteErased).
    this.data.grantTable(this.data.audit, apiFunction, 'dynamodb:Scan');
    // Releases: recorded once (conditional put) as a run starts on one, read and listed (GET /releases).
    this.data.grantTable(this.data.releases, apiFunction, 'dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:Scan');
    // API keys: created (conditional put), read to authenticate a webhook, listed, revoked (update).
    this.data.grantTable(this.data.apiKeys, apiFunction, 'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Scan');
    // Request limits: one atomic counter update per request (functions/records/throttle-counters.ts).
    this.data.grantTable(this.data.throttle, apiFunction, 'dynamodb:UpdateItem');
    // GET /usage only reads the counters.
    this.data.grantTable(this.data.gateway, apiFunction, 'dynamodb:GetItem', 'dynamodb:Query');
    grantSecretValue(signingSecret, apiFunction);
    grantSecretValue(channelSecrets, apiFunction);
    for (const secret of [...webhookSecrets, ...vendorWebhookSecrets]) grantSecretValue(secret, apiFunction);
    for (const wf of this.workflows) {
      // Runs start through the live alias, replays on a published version: never on an unreleased
      // $LATEST. GET /workflows/{id}/rollout reads the alias and the versions (each described by
      // its release); POST …/rollback moves the alias to one of them.
      apiFunction.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:DescribeStateMachineAlias', 'states:UpdateStateMachineAlias'], resources: [wf.alias.ref] }));
      // A promotion creates the live alias when a stage has none yet (functions/releases/live-alias.ts sendAllTo).
      apiFunction.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:ListStateMachineVersions', 'states:CreateStateMachineAlias'], resources: [wf.stateMachine.stateMachineArn] }));
      apiFunction.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:StartExecution', 'states:DescribeStateMachine'], resources: [`${wf.stateMachine.stateMachineArn}:*`] }));
      // POST /runs/{runId}/redrive resumes a failed execution of the workflow at its failed state.
      const machineName = stateMachineName(stage, wf.workflowId);
      apiFunction.addToRolePolicy(new iam.PolicyStatement({
        actions: ['states:RedriveExecution'],
        resources: [this.formatArn({ service: 'states', resource: 'execution', resourceName: `${machineName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      }));
      acknowledge(apiFunction, `IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${machineName}:*]`, "the workflow's own executions, each named by its run id: any of its failed runs may be redriven by an admin or author");
      acknowledge(apiFunction, `IAM5[Resource::<${Stack.of(this).getLogicalId(wf.stateMachine.node.defaultChild as CfnElement)}>:*]`, "the workflow's own state machine versions and aliases (versions are numbered as they are published): runs start through the alias, replays on a version, each version read for the release it was built from");
      wf.stateMachine.grant(apiFunction, 'states:SendTaskSuccess', 'states:SendTaskFailure');
    }
    /**
     * A function that serves a share of the HTTP API's routes (the same app, built with only those):
     * it checks every caller as the API does, their standing (the API keys table) and request counter
     * (the throttle table), verifies tokens with the signing secret, and appends refusals to the trail.
     */
    const routeFunction = (id: string, entry: string, kind: string, more: Record<string, string>, afterBundling: (outputDir: string) => string[]) => {
      const fn = new HandrailFunction(this, id, {
        entry,
        kind,
        timeout: Duration.seconds(29),
        logRetention,
        environment: { ...environment, [ENV.signingSecretArn]: signingSecret.secretArn, ...more, ...requestLimits, ...signIn },
        commandHooks: { beforeBundling: () => [], beforeInstall: () => [], afterBundling: (_inputDir: string, outputDir: string) => afterBundling(outputDir) },
      });
      this.data.grantAuditAppend(fn);
      this.data.grantTable(this.data.apiKeys, fn, 'dynamodb:BatchGetItem');
      this.data.grantTable(this.data.throttle, fn, 'dynamodb:UpdateItem');
      grantSecretValue(signingSecret, fn);
      return fn;
    };
    // The web console's pages (functions/api/console-handler.ts), signed in by the browser's session:
    // the explorer and the dashboard list the deployed workflows (and their declared baselines).
    const consoleFunction = routeFunction('ConsoleFunction', 'functions/api/console-handler.ts', 'console', { [ENV.workflowsDir]: `/var/task/${BUNDLED_WORKFLOWS_DIR}` }, (outputDir) =>
      workflowCommands(outputDir, props.workflows),
    );
    // Runs and their steps are read and listed (Scan without a workflow filter), decided approvals
    // queried by status, the audit trail read (a run's stream, pages, verification), the usage counters queried.
    this.data.grantTable(this.data.runs, consoleFunction, 'dynamodb:Query', 'dynamodb:Scan');
    this.data.grantTable(this.data.approvals, consoleFunction, 'dynamodb:Query');
    this.data.grantKeyReads(consoleFunction);
    this.data.grantTable(this.data.audit, consoleFunction, 'dynamodb:Scan');
    this.data.grantTable(this.data.gateway, consoleFunction, 'dynamodb:GetItem', 'dynamodb:Query');
    // The knowledge routes (functions/api/knowledge-handler.ts), the only function of the HTTP API that
    // carries the S3 client: who may write or list a collection are its declared writers (collections),
    // people or groups of the directory.
    const knowledgeFunction = routeFunction(
      'KnowledgeFunction',
      'functions/api/knowledge-handler.ts',
      'knowledge',
      { [ENV.directoryFile]: `/var/task/${BUNDLED_DIRECTORY}`, [ENV.collectionsFile]: `/var/task/${BUNDLED_COLLECTIONS}` },
      (outputDir) => [...directoryCommands(outputDir, props.directory), ...collectionsCommands(outputDir, props.collections)],
    );
    // Knowledge versions are allocated by conditional put after the object is written (HEAD when it
    // existed), listed and read back (pinned by their S3 version id) for history and restores;
    // labels are put and queried; which runs searched a version is queried from the runs' snapshot index.
    this.data.grantTable(this.data.knowledge, knowledgeFunction, 'dynamodb:PutItem', 'dynamodb:Query');
    this.data.grantKnowledgeObjects(knowledgeFunction, 's3:PutObject', 's3:GetObject', 's3:GetObjectVersion');
    this.data.grantTable(this.data.runs, knowledgeFunction, 'dynamodb:Query');
    // API Gateway checks the ID token first on the routes it can (http-api.ts says which and why).
    http.addRoutes({ api: apiFunction, console: consoleFunction, knowledge: knowledgeFunction }, identity ? { authorizer: new HttpJwtAuthorizer('IdToken', identity.issuer, { jwtAudience: [identity.client.userPoolClientId] }) } : {});

    new Observability(this, 'Observability', { stage, workflows: props.workflows, providers: config.providers });
    // Auditors' exports to S3 with Glue tables and Athena queries: on AWS (locally, `npx handrail audit export`).
    if (stage !== LOCAL_STAGE) new AuditExports(this, 'AuditExports', { stage, data: this.data, schedule: config.exports.schedule });

    new CfnOutput(this, 'ApiUrl', { value: http.api.apiEndpoint, description: 'Base URL of the Handrail API' });
    new CfnOutput(this, 'KnowledgeBucketName', { value: this.data.knowledgeBucket.bucketName });
    // HANDRAIL_RUNS_TABLE → output RunsTableName, with the name every function of the stage gets.
    const outputId = (env: string) => `${env.replace(/^HANDRAIL_|_TABLE$/g, '').toLowerCase().replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase())}TableName`;
    this.evidenceTables = Object.fromEntries(
      EVIDENCE_TABLES.map((env) => [env, new CfnOutput(this, outputId(env), { value: environment[env]!, description: `Read by the promotion check of the stage after this one (${env})` })]),
    );
    new CfnOutput(this, 'SigningSecretArn', { value: signingSecret.secretArn, description: 'HMAC key for reviewer links and personal reviewer tokens (generated)' });
    new CfnOutput(this, 'ChannelSecretsArn', {
      value: channelSecrets.secretArn,
      description: 'Fill in {slackBotToken, slackSigningSecret, teamsWebhookUrl} to turn approval channels on',
    });
    if (identity) {
      new CfnOutput(this, 'UserPoolId', { value: identity.userPool.userPoolId, description: `Cognito user pool: add people to its groups, one per role (${ROLES.join(', ')})` });
      new CfnOutput(this, 'UserPoolClientId', { value: identity.client.userPoolClientId, description: 'App client (public, authorization code + PKCE): the aud of the ID tokens the API accepts' });
      new CfnOutput(this, 'AuthIssuer', { value: identity.issuer, description: 'Issuer of the ID tokens the API accepts' });
      new CfnOutput(this, 'HostedUiUrl', { value: identity.hostedUiUrl, description: 'Cognito Hosted UI: /oauth2/authorize, /oauth2/token, /logout' });
    }
    if (openAiSecret) {
      new CfnOutput(this, 'OpenAiSecretArn', { value: openAiSecret.secretArn, description: 'Put the OpenAI (or compatible) key here as {"apiKey": "…"}' });
    }
  }
}
