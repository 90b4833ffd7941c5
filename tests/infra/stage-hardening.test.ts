/**
 * What a stage stack promises beyond its functions' grants: log groups encrypted with the stage's
 * key, an append-only audit table whose expiring items (Slack nonces) DynamoDB deletes itself, a
 * description and outputs operators can read, and a dev stage that `cdk destroy` can remove.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TTL_ATTRIBUTE } from '../../functions/shared/ttl.js';
import { buildApp } from '../../infra/app-factory.js';

const synth = (stage?: string) => Template.fromStack(buildApp({ ...(stage ? { stage } : {}), bundling: false, outdir: mkdtempSync(join(tmpdir(), 'cdk-')) }).stack);
const idOf = (template: Template, type: string, logicalIdPrefix: string) => Object.keys(template.findResources(type)).find((id) => id.startsWith(logicalIdPrefix))!;

let dev: Template;
let prod: Template;

beforeAll(() => {
  dev = synth('dev');
  prod = synth('prod');
});

describe('log groups', () => {
  it('encrypts every log group the stack creates with the stage key', () => {
    const keyId = idOf(dev, 'AWS::KMS::Key', 'DataDataKey');
    const groups = Object.entries(dev.findResources('AWS::Logs::LogGroup'));
    const functions = Object.keys(dev.findResources('AWS::Lambda::Function', { Metadata: { 'handrail:kind': Match.anyValue() } }));
    const machines = Object.keys(dev.findResources('AWS::StepFunctions::StateMachine'));
    // One per function, one per state machine, the API's access logs.
    expect(groups.length).toBeGreaterThanOrEqual(functions.length + machines.length + 1);
    for (const [id, group] of groups) expect({ id, key: group.Properties.KmsKeyId }).toEqual({ id, key: { 'Fn::GetAtt': [keyId, 'Arn'] } });
  });

  it("lets CloudWatch Logs use the key for this account's log groups in this region, and nothing else", () => {
    dev.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
            Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
            Condition: {
              ArnLike: {
                'kms:EncryptionContext:aws:logs:arn': {
                  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':log-group:*']],
                },
              },
            },
          }),
        ]),
      },
    });
  });
});

describe('audit table', () => {
  it('expires the items that carry the TTL attribute (Slack nonces; request counters; runs, steps and approvals by their retention), and only those tables have one', () => {
    const tables = Object.entries(dev.findResources('AWS::DynamoDB::Table'));
    const withTtl = tables.filter(([, t]) => t.Properties.TimeToLiveSpecification);
    expect(withTtl.map(([id]) => id).sort()).toEqual(['DataAuditTable', 'DataThrottleTable', 'DataRunsTable', 'DataApprovalsTable'].map((t) => idOf(dev, 'AWS::DynamoDB::Table', t)).sort());
    for (const [, table] of withTtl) expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: TTL_ATTRIBUTE, Enabled: true });
  });

  it('is append-only for every role in the stack: PutItem to write, Query and Scan (audit verify, checkpoints) to read, a snapshot export for auditors, nothing else', () => {
    const auditId = idOf(dev, 'AWS::DynamoDB::Table', 'DataAuditTable');
    const actions = Object.values(dev.findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
      .filter((s) => JSON.stringify(s.Resource).includes(`"${auditId}"`))
      .flatMap((s) => [s.Action].flat());
    expect(actions).toContain('dynamodb:PutItem');
    // ExportTableToPointInTime copies a point-in-time snapshot to S3 (infra/constructs/audit-exports.ts): it writes nothing to the table.
    expect([...new Set(actions)].sort()).toEqual(['dynamodb:ExportTableToPointInTime', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:Scan']);
    expect(actions.filter((a) => /UpdateItem|DeleteItem|BatchWriteItem|PartiQL|\*/.test(a))).toEqual([]);
  });
});

describe('stack description and outputs', () => {
  const contextBefore = process.env.CDK_CONTEXT_JSON;
  afterEach(() => {
    if (contextBefore === undefined) delete process.env.CDK_CONTEXT_JSON;
    else process.env.CDK_CONTEXT_JSON = contextBefore;
  });

  it('names the stage in the description, also when the stage comes from `-c stage=` or the default', () => {
    const descriptionOf = () => buildApp({ bundling: false, outdir: mkdtempSync(join(tmpdir(), 'cdk-')) }).stack.templateOptions.description;
    expect(descriptionOf()).toBe('Handrail governed AI workflows (dev)');
    // What `cdk synth -c stage=staging` hands the app.
    process.env.CDK_CONTEXT_JSON = JSON.stringify({ stage: 'staging' });
    expect(descriptionOf()).toBe('Handrail governed AI workflows (staging)');
  });

  it('prints the ARNs of the signing secret and of the channel secret operators fill in', () => {
    const signing = idOf(dev, 'AWS::SecretsManager::Secret', 'SigningSecret');
    const channels = idOf(dev, 'AWS::SecretsManager::Secret', 'ChannelSecrets');
    dev.hasOutput('SigningSecretArn', { Value: { Ref: signing } });
    dev.hasOutput('ChannelSecretsArn', { Value: { Ref: channels }, Description: Match.stringLikeRegexp('slackBotToken') });
    dev.hasOutput('ApiUrl', {});
  });
});

describe('deleting a stage', () => {
  it('empties and deletes the dev knowledge, exports and inbound mail buckets on `cdk destroy`', () => {
    dev.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ VersioningConfiguration: { Status: 'Enabled' } }) });
    const emptied = Object.values(dev.findResources('Custom::S3AutoDeleteObjects')).map((r) => r.Properties.BucketName);
    expect(emptied).toEqual(expect.arrayContaining([{ Ref: idOf(dev, 'AWS::S3::Bucket', 'DataKnowledgeBucket') }, { Ref: idOf(dev, 'AWS::S3::Bucket', 'AuditExportsBucket') }, { Ref: idOf(dev, 'AWS::S3::Bucket', 'InboundEmailBucket') }]));
    expect(emptied).toHaveLength(3);
  });

  it('keeps the prod knowledge and exports buckets and their objects', () => {
    for (const bucket of Object.values(prod.findResources('AWS::S3::Bucket'))) expect(bucket.DeletionPolicy).toBe('Retain');
    prod.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
    for (const table of Object.values(prod.findResources('AWS::DynamoDB::Table'))) expect(table.DeletionPolicy).toBe('Retain');
  });
});
