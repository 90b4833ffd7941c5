import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../functions/shared/env-names.js';
import { buildApp } from '../../infra/app-factory.js';
import { INBOUND_MAIL_PREFIX } from '../../infra/constructs/inbound-email.js';

type Cfn = { Type: string; Properties: Record<string, any>; Metadata?: Record<string, any>; DependsOn?: string[] };
let template: Template;
let resources: Record<string, Cfn>;

beforeAll(() => {
  const { stack } = buildApp({ stage: 'dev', bundling: false, outdir: mkdtempSync(join(tmpdir(), 'cdk-')) });
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources;
});

const idOf = (type: string, prefix: string) => Object.keys(resources).find((id) => resources[id]!.Type === type && id.startsWith(prefix))!;

describe('email in (dev declares email.receive)', () => {
  it('has one receipt rule for the stage\'s addresses: scan, store under the inbound prefix, then invoke the email-trigger function asynchronously', () => {
    // Assess
    template.hasResourceProperties('AWS::SES::ReceiptRuleSet', { RuleSetName: 'handrail-dev' });
    const rules = Object.values(resources).filter((r) => r.Type === 'AWS::SES::ReceiptRule');
    expect(rules).toHaveLength(1);
    const rule = rules[0]!.Properties.Rule;
    expect(rule).toMatchObject({ Enabled: true, Recipients: ['support@mail.acme.example'], ScanEnabled: true, TlsPolicy: 'Require' });
    const [store, invoke] = rule.Actions;
    expect(store.S3Action).toMatchObject({ BucketName: { Ref: idOf('AWS::S3::Bucket', 'InboundEmailBucket') }, ObjectKeyPrefix: INBOUND_MAIL_PREFIX });
    expect(invoke.LambdaAction).toMatchObject({ FunctionArn: { 'Fn::GetAtt': [idOf('AWS::Lambda::Function', 'InboundEmailFunction'), 'Arn'] }, InvocationType: 'Event' });
  });

  it('lets SES (of this account only) put objects under the inbound prefix, and nothing else', () => {
    const bucket = idOf('AWS::S3::Bucket', 'InboundEmailBucket');
    const policy = Object.values(resources).find((r) => r.Type === 'AWS::S3::BucketPolicy' && r.Properties.Bucket.Ref === bucket)!;
    const ses = policy.Properties.PolicyDocument.Statement.filter((s: any) => s.Principal?.Service === 'ses.amazonaws.com');
    expect(ses).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: 's3:PutObject',
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, `/${INBOUND_MAIL_PREFIX}*`]] },
      }),
    ]);
    // TLS only, private, encrypted, messages expire after email.keepDays (30 by default).
    expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('aws:SecureTransport');
    expect(resources[bucket]!.Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: [expect.objectContaining({ Prefix: INBOUND_MAIL_PREFIX, ExpirationInDays: 30, Status: 'Enabled' })] },
    });
  });

  it('lets only SES of this account invoke the function', () => {
    const fn = idOf('AWS::Lambda::Function', 'InboundEmailFunction');
    const permissions = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Permission' && JSON.stringify(r.Properties.FunctionName).includes(fn));
    expect(permissions).toEqual([expect.objectContaining({ Properties: expect.objectContaining({ Action: 'lambda:InvokeFunction', Principal: 'ses.amazonaws.com', SourceAccount: { Ref: 'AWS::AccountId' } }) })]);
  });

  it('gives the function the routes, the bucket and its prefix, and grants it exactly its reads and the support-reply workflow\'s start', () => {
    const fn = idOf('AWS::Lambda::Function', 'InboundEmailFunction');
    const env = resources[fn]!.Properties.Environment.Variables;
    expect(JSON.parse(env[ENV.emailRoutes])).toEqual({ 'support@mail.acme.example': 'support-reply' });
    expect(env).toMatchObject({ [ENV.inboundMailPrefix]: INBOUND_MAIL_PREFIX, [ENV.inboundMailBucket]: { Ref: idOf('AWS::S3::Bucket', 'InboundEmailBucket') } });
    expect(resources[fn]!.Metadata).toMatchObject({ 'handrail:kind': 'email-trigger', 'handrail:entry': 'functions/triggers/email/handler.ts' });
    const roleId = resources[fn]!.Properties.Role['Fn::GetAtt'][0];
    const statements = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(roleId))
      .flatMap((r) => r.Properties.PolicyDocument.Statement);
    const starts = statements.filter((s: any) => [s.Action].flat().includes('states:StartExecution'));
    expect(starts).toHaveLength(1);
    expect(JSON.stringify(starts[0].Resource)).toMatch(/WorkflowsupportreplyStateMachine.*:\*/);
    expect(statements.some((s: any) => [s.Action].flat().some((a: string) => a.startsWith('s3:Put') || a.startsWith('ses:')))).toBe(false);
  });

  it('creates nothing for email in a stage that declares none (local declares it in the tests\' stages file; staging does not)', () => {
    const { stack } = buildApp({ stage: 'staging', bundling: false, outdir: mkdtempSync(join(tmpdir(), 'cdk-')) });
    const staging = Template.fromStack(stack);
    staging.resourceCountIs('AWS::SES::ReceiptRuleSet', 0);
    expect(JSON.stringify(staging.toJSON())).not.toContain(ENV.emailReplyFrom);
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ [ENV.emailReplyFrom]: 'support@mail.acme.example', [ENV.emailTransport]: 'ses' }) } });
  });
});
