import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import validator from 'asl-validator';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/api/route-table.js';
import { readPriceTable } from '../../functions/usage/price-table.js';
import { buildApp } from '../../infra/app-factory.js';
import { projectRoot } from '../../infra/project-root.js';
import { loadDirectory } from '../../state-machines/directory.js';
import { loadWorkflows } from '../../state-machines/load-workflow.js';

let template: Template;

beforeAll(() => {
  const { stack } = buildApp({ stage: 'dev', bundling: false, outdir: mkdtempSync(join(tmpdir(), 'cdk-')) });
  template = Template.fromStack(stack);
});

type Statement = { Action: string | string[]; Resource: unknown };
function statementsOf(roleLogicalIdPrefix: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.entries(policies)
    .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(roleLogicalIdPrefix))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);
}
const actionsOf = (prefix: string) => statementsOf(prefix).flatMap((s) => [s.Action].flat());

describe('Handrail stack (dev)', () => {
  it('has one Standard state machine per workflow, with logging and tracing, whose ASL validates', () => {
    const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(machines.map((m) => m.Properties.StateMachineName).sort()).toEqual(['handrail-dev-kb-update', 'handrail-dev-meeting-notes', 'handrail-dev-rfp-response', 'handrail-dev-sales-outreach', 'handrail-dev-support-reply']);
    for (const other of machines) {
      const asl = JSON.parse(String(other.Properties.DefinitionString).replace(/\$\{fn_(\w+)\}/g, 'arn:aws:lambda:us-east-1:123456789012:function:$1'));
      expect(validator(asl).errors).toEqual([]);
    }
    const machine = machines.find((m) => m.Properties.StateMachineName === 'handrail-dev-support-reply');
    expect(machine!.Properties).toMatchObject({
      StateMachineName: 'handrail-dev-support-reply',
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
    });
    const asl = JSON.parse(String(machine!.Properties.DefinitionString).replace(/\$\{fn_(\w+)\}/g, 'arn:aws:lambda:us-east-1:123456789012:function:$1'));
    expect(validator(asl).errors).toEqual([]);
    expect(Object.keys(machine!.Properties.DefinitionSubstitutions).sort()).toEqual(['fn_approval', 'fn_classify', 'fn_deliver', 'fn_finish', 'fn_generate', 'fn_retrieve']);
  });

  it('bundles one nodejs22.x function per step kind plus the API, the console and the knowledge routes, each with its own role', () => {
    const fns = Object.values(template.findResources('AWS::Lambda::Function')).filter((f) => f.Metadata?.['handrail:kind']);
    // dev maps its IdP's groups to roles: the user pool's pre token generation trigger is one more.
    // Retrieve is one function per workflow that retrieves (each reads only its own collections: knowledge-scope.test.ts);
    // a workflow that writes knowledge (kb-update) has its own deliver function, the only one that may write it;
    // dev syncs a collection from S3 on a schedule: the knowledge sync is one more (knowledge-sync.test.ts).
    expect(fns.map((f) => f.Metadata['handrail:kind']).sort()).toEqual(['api', 'approval', 'classify', 'console', 'deliver', 'deliver-knowledge', 'email-trigger', 'execution-status', 'finish', 'generate', 'knowledge', 'knowledge-sync', 'pre-token-generation', 'reconcile-decisions', 'reminders', 'retrieve', 'retrieve', 'retrieve', 'retrieve', 'audit-checkpoint'].sort());
    for (const fn of fns) {
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      expect(fn.Properties.LoggingConfig).toMatchObject({ LogFormat: 'JSON' });
    }
    const roles = new Set(fns.map((f) => JSON.stringify(f.Properties.Role)));
    // dev declares email (stages.yaml email): the email-trigger function is one more.
    expect(fns.length).toBe(20);
    expect(roles.size).toBe(fns.length);
  });

  it('grants each function only what it uses', () => {
    expect(actionsOf('StepsGenerateFunction')).toEqual(expect.arrayContaining(['bedrock:InvokeModel']));
    expect(actionsOf('StepsClassifyFunction')).toEqual(expect.arrayContaining(['bedrock:InvokeModel', 'dynamodb:PutItem', 'dynamodb:BatchWriteItem', 'dynamodb:UpdateItem']));
    expect(actionsOf('StepsClassifyFunction').some((a) => a.startsWith('s3:') || a.startsWith('states:'))).toBe(false);
    // The only secret a model caller reads is the OpenAI key (the test stage enables OpenAI).
    const classifySecrets = statementsOf('StepsClassifyFunction').filter((st) => [st.Action].flat().some((a) => a.startsWith('secretsmanager:')));
    expect(classifySecrets.flatMap((st) => [st.Action].flat())).toEqual(['secretsmanager:GetSecretValue']);
    expect(JSON.stringify(classifySecrets.map((st) => st.Resource))).toMatch(/OpenAiSecret/);
    expect(actionsOf('StepsRetrieveFunction')).not.toContain('bedrock:InvokeModel');
    expect(actionsOf('StepsRetrieveFunction').some((a) => a.startsWith('s3:Put'))).toBe(false);
    expect(actionsOf('StepsDeliverFunction')).not.toContain('bedrock:InvokeModel');
    expect(actionsOf('StepsDeliverFunction')).toContain('secretsmanager:GetSecretValue');
    expect(actionsOf('StepsFinishFunction')).not.toContain('secretsmanager:GetSecretValue');
    expect(actionsOf('ApiFunction')).toEqual(expect.arrayContaining(['states:StartExecution', 'states:SendTaskSuccess', 'states:SendTaskFailure']));
    expect(actionsOf('StepsApprovalFunction')).not.toContain('states:StartExecution');
    // Knowledge documents are stored by the knowledge function alone: the API touches neither the bucket nor the table.
    expect(actionsOf('ApiFunction').filter((a) => a.startsWith('s3:'))).toEqual([]);
    expect(statementsOf('ApiFunction').filter((s) => /KnowledgeBucket|KnowledgeTable/.test(JSON.stringify(s.Resource)))).toEqual([]);
    expect(actionsOf('KnowledgeFunction')).toEqual(expect.arrayContaining(['s3:PutObject', 's3:GetObject', 's3:GetObjectVersion']));
    expect(actionsOf('KnowledgeFunction').some((a) => a.startsWith('states:'))).toBe(false);
  });

  it('keeps runs, approvals, audit, knowledge, gateway state, API keys, releases and request counters in on-demand, PITR, KMS-encrypted tables', () => {
    const tables = template.findResources('AWS::DynamoDB::Table');
    expect(Object.keys(tables)).toHaveLength(8);
    for (const table of Object.values(tables)) {
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      });
    }
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: [
        Match.objectLike({ IndexName: 'byWorkflow' }),
        Match.objectLike({ IndexName: 'bySnapshot', KeySchema: [{ AttributeName: 'knowledgeSnapshot', KeyType: 'HASH' }, { AttributeName: 'runId', KeyType: 'RANGE' }], Projection: { ProjectionType: 'KEYS_ONLY' } }),
        Match.objectLike({ IndexName: 'byHumanQueue', KeySchema: [{ AttributeName: 'humanQueue', KeyType: 'HASH' }, { AttributeName: 'queuedAt', KeyType: 'RANGE' }] }),
      ],
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'byStatus' }), Match.objectLike({ IndexName: 'byResume', KeySchema: [{ AttributeName: 'resumeState', KeyType: 'HASH' }, { AttributeName: 'resumeRequestedAt', KeyType: 'RANGE' }] })],
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', { GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'byDay' })] });
  });

  it('runs the decision reconciler every minute; it may resume runs and touch only what it needs', () => {
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)', Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StepsReconcileDecisionsFunction'), 'Arn'] } })] });
    const actions = actionsOf('StepsReconcileDecisionsFunction');
    expect(actions).toEqual(expect.arrayContaining(['states:SendTaskSuccess', 'states:SendTaskFailure', 'dynamodb:Query', 'dynamodb:UpdateItem', 'dynamodb:GetItem']));
    expect(actions.some((a) => ['dynamodb:DeleteItem', 'dynamodb:Scan', 's3:GetObject', 'states:StartExecution'].includes(a))).toBe(false);
    expect(actionsOf('StepsApprovalFunction')).toEqual(expect.arrayContaining(['states:SendTaskSuccess', 'states:SendTaskFailure']));
  });

  it('lets generate read and update the gateway table (cooldowns, usage counters) and the API only read it', () => {
    const gatewayActions = (prefix: string) =>
      statementsOf(prefix)
        .filter((s) => JSON.stringify(s.Resource).includes('GatewayTable'))
        .flatMap((s) => [s.Action].flat());
    expect(gatewayActions('StepsGenerateFunction').sort()).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    expect(gatewayActions('ApiFunction').sort()).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
    expect(gatewayActions('StepsDeliverFunction')).toEqual([]);
  });

  it('counts requests per caller in a TTL table that only the API updates, with the stage\'s limits in its environment', () => {
    const [id, table] = Object.entries(template.findResources('AWS::DynamoDB::Table')).find(([logicalId]) => logicalId.startsWith('DataThrottleTable'))!;
    expect(table.Properties).toMatchObject({ KeySchema: [{ AttributeName: 'bucket', KeyType: 'HASH' }], TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } });
    const throttleActions = (prefix: string) =>
      statementsOf(prefix)
        .filter((s) => JSON.stringify(s.Resource).includes(id))
        .flatMap((s) => [s.Action].flat());
    expect(throttleActions('ApiFunction')).toEqual(['dynamodb:UpdateItem']);
    for (const fn of ['StepsGenerateFunction', 'StepsApprovalFunction', 'StepsDeliverFunction', 'StepsReconcileDecisionsFunction']) expect(throttleActions(fn)).toEqual([]);
    const [api] = Object.values(template.findResources('AWS::Lambda::Function')).filter((f) => JSON.stringify(f.Properties.Environment ?? {}).includes('HANDRAIL_THROTTLE_TABLE'));
    const env = api!.Properties.Environment.Variables;
    expect(env.HANDRAIL_THROTTLE_TABLE).toEqual({ Ref: id });
    // tests/fixtures/stages/stages.yaml raises the dev stage's webhook limit; the rest are the defaults.
    expect(JSON.parse(env.HANDRAIL_THROTTLE_LIMITS)).toMatchObject({ webhook: { requests: 6000, windowSeconds: 60 }, person: { requests: 600, windowSeconds: 60 }, anonymous: { requests: 300, windowSeconds: 60 } });
  });

  it('stores knowledge in a versioned, private, encrypted, TLS-only bucket', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() } })] },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('serves every route of the route table through an HTTP API with access logs', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey);
    expect(routes.sort()).toEqual(Object.values(ROUTES).map((r) => `${r.method} ${r.path}`).sort());
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { StageName: '$default', AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }) });
  });

  it('sweeps pending approvals for reminders every five minutes', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StepsRemindersFunction'), 'Arn'] } })],
    });
    expect(actionsOf('StepsRemindersFunction')).toContain('ses:SendEmail');
    expect(actionsOf('StepsRemindersFunction')).not.toContain('states:StartExecution');
  });

  it('names the stage from context and refuses a bad one', () => {
    expect(buildApp({ stage: 'prod', bundling: false, outdir: mkdtempSync(join(tmpdir(), 'cdk-')) }).stack.stackName).toBe('Handrail-prod');
    expect(() => buildApp({ stage: 'Prod!', bundling: false })).toThrow(/Invalid stage "Prod!"/);
  });

  it('bundles the API with the workflow definitions it validates webhooks against', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'cdk-bundled-'));
    const { app, stack } = buildApp({ stage: 'dev', outdir });
    app.synth();
    const assets = readdirSync(outdir).filter((d) => d.startsWith('asset.'));
    // Each Handrail function's own asset (not CDK's, e.g. the dev bucket's auto-delete provider).
    const functionAssets = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))
      .filter((f) => f.Metadata?.['handrail:kind'])
      .map((f) => `asset.${String(f.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
    expect(assets.length).toBeGreaterThanOrEqual(6);
    // Definitions and the directory ship as JSON (no YAML parser in any bundle), read as the synth read them.
    const api = assets.find((a) => existsSync(join(outdir, a, 'workflows', 'support-reply.json')))!;
    expect(api).toBeDefined();
    const shipped = loadWorkflows(join(outdir, api, 'workflows'));
    expect(shipped.map((w) => [w.definition.id, w.version])).toEqual(loadWorkflows().map((w) => [w.definition.id, w.version]));
    // The API, the approval function, the reminders sweep and the execution-status function (which
    // notify people) ship the reviewer directory; so does the knowledge function (a collection's
    // writers may be its groups), and the email trigger (a reviewer its input names must be in it).
    const withDirectory = assets.filter((a) => existsSync(join(outdir, a, 'reviewers.json')));
    expect(withDirectory).toHaveLength(6);
    for (const a of withDirectory) expect(loadDirectory(join(outdir, a, 'reviewers.json'))).toEqual(loadDirectory());
    // The knowledge collections ship with the knowledge function only (who may write or list each).
    const knowledgeAsset = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')).find((f) => f.Metadata?.['handrail:kind'] === 'knowledge')!;
    expect(assets.filter((a) => existsSync(join(outdir, a, 'collections.json')))).toEqual([`asset.${String(knowledgeAsset.Properties.Code.S3Key).replace(/\.zip$/, '')}`]);
    expect(assets.filter((a) => readdirSync(join(outdir, a), { recursive: true }).some((f) => String(f).endsWith('.yaml')))).toEqual([]);
    // The functions that call models (generate, classify) price each call from the price table they ship with.
    const priced = assets.filter((a) => existsSync(join(outdir, a, 'prices.json')));
    expect(priced).toHaveLength(2);
    for (const a of priced) expect(JSON.parse(readFileSync(join(outdir, a, 'prices.json'), 'utf8'))).toEqual(readPriceTable(join(projectRoot, 'state-machines/prices.yaml')));
    expect(functionAssets.length).toBeGreaterThanOrEqual(9);
    expect(functionAssets.every((a) => existsSync(join(outdir, a, 'index.mjs')))).toBe(true);
  }, 180_000); // bundles every function of the stack (as tests/infra/bundles.test.ts's synth does)
});

describe('approval channels in the stack', () => {
  const fnEnv = (kind: string) =>
    Object.values(template.findResources('AWS::Lambda::Function')).find((f) => f.Metadata?.['handrail:kind'] === kind)!.Properties.Environment.Variables as Record<string, unknown>;
  const readsChannelSecrets = (prefix: string) =>
    statementsOf(prefix).some((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue') && JSON.stringify(s.Resource).includes('ChannelSecrets'));

  it('lets only the approval function send email, and the deliver function replies from the stage\'s reply address', () => {
    expect(actionsOf('StepsApprovalFunction')).toContain('ses:SendEmail');
    const reply = statementsOf('StepsDeliverFunction').filter((s) => [s.Action].flat().some((a) => a.startsWith('ses:')));
    expect(reply).toEqual([expect.objectContaining({ Action: 'ses:SendEmail', Condition: { StringEquals: { 'ses:FromAddress': 'support@mail.acme.example' } } })]);
    for (const other of ['ApiFunction', 'StepsGenerateFunction', 'StepsRetrieveFunction', 'StepsFinishFunction']) {
      expect(actionsOf(other).some((a) => a.startsWith('ses:'))).toBe(false);
    }
    const ses = statementsOf('StepsApprovalFunction').find((s) => [s.Action].flat().includes('ses:SendEmail'))!;
    expect(JSON.stringify(ses.Resource)).toContain(':identity/*');
  });

  it('keeps Slack and Teams credentials in a secret read only by the approval function, the API and (a shipped workflow posts to Slack: meeting-notes) the deliver function', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ SecretStringTemplate: JSON.stringify({ slackBotToken: '', slackSigningSecret: '', teamsWebhookUrl: '' }) }),
    });
    expect(readsChannelSecrets('StepsApprovalFunction')).toBe(true);
    expect(readsChannelSecrets('ApiFunction')).toBe(true);
    expect(readsChannelSecrets('StepsDeliverFunction')).toBe(true);
    for (const other of ['StepsGenerateFunction', 'StepsRetrieveFunction', 'StepsFinishFunction']) expect(readsChannelSecrets(other)).toBe(false);
    expect(fnEnv('approval')).toMatchObject({ HANDRAIL_EMAIL_TRANSPORT: 'ses', HANDRAIL_CHANNEL_SECRETS_ARN: { Ref: expect.stringMatching(/^ChannelSecrets/) }, HANDRAIL_DIRECTORY_FILE: '/var/task/reviewers.json' });
    expect(fnEnv('api')).toHaveProperty('HANDRAIL_CHANNEL_SECRETS_ARN');
    expect(fnEnv('deliver')).toHaveProperty('HANDRAIL_CHANNEL_SECRETS_ARN');
    // No credential is ever inline in a function's environment.
    for (const kind of ['approval', 'api', 'deliver']) {
      for (const name of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'TEAMS_WEBHOOK_URL']) expect(Object.keys(fnEnv(kind))).not.toContain(name);
    }
  });
});
