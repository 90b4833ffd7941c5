/**
 * Exports for auditors on AWS (infra/constructs/audit-exports.ts): scheduled DynamoDB exports of the
 * runs, approvals and audit tables to a hardened bucket, by a role that may do only that; Glue
 * tables over the exports; an Athena workgroup with the named queries of infra/audit-queries.ts,
 * whose every column is checked against the Glue schema in the template and against items the
 * records modules really write (read back from DynamoDB as an export writes them: DynamoDB JSON).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app-factory.js';
import { AUDIT_QUERIES, type AuditQuery } from '../../infra/audit-queries.js';
import { EXPORT_ID_COLUMN, EXPORTED_TABLES } from '../../infra/export-schema.js';
import { ENV } from '../../functions/shared/env-names.js';
import { createRun, putStepRecord } from '../../functions/records/runs.js';
import { putApprovalRequest, recordDecision, type ApprovalRecord } from '../../functions/records/approvals.js';
import { recordAudit } from '../../functions/records/audit.js';
import { startEmulatorEnv, stringKeys, type EmulatorEnv } from '../support/emulator-env.js';

const template = Template.fromStack(buildApp({ stage: 'dev', bundling: false, outdir: mkdtempSync(join(tmpdir(), 'cdk-')) }).stack);
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: any; DeletionPolicy?: string }>;
const idOf = (type: string, prefix: string) => Object.keys(template.findResources(type)).find((id) => id.startsWith(prefix))!;
const tableIds = { runs: idOf('AWS::DynamoDB::Table', 'DataRunsTable'), approvals: idOf('AWS::DynamoDB::Table', 'DataApprovalsTable'), audit: idOf('AWS::DynamoDB::Table', 'DataAuditTable') };
const bucketId = idOf('AWS::S3::Bucket', 'AuditExportsBucket');
const keyId = idOf('AWS::KMS::Key', 'DataDataKey');
const roleId = idOf('AWS::IAM::Role', 'AuditExportsExporterRole');

/** A template value as text, each intrinsic as <LogicalId> (Ref and GetAtt) inline. */
const text = (v: unknown): string => {
  if (typeof v === 'string') return v;
  const o = v as Record<string, any>;
  if (o.Ref) return `<${o.Ref}>`;
  if (o['Fn::GetAtt']) return `<${o['Fn::GetAtt'][0]}.${o['Fn::GetAtt'][1]}>`;
  if (o['Fn::Join']) return o['Fn::Join'][1].map(text).join(o['Fn::Join'][0]);
  throw new Error(`unexpected template value ${JSON.stringify(v)}`);
};

describe('the scheduled exports', () => {
  const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule')).map((s) => s.Properties);

  it('export each of the runs, approvals and audit tables daily, as DynamoDB JSON, full, into its prefix of the exports bucket, encrypted with the data key', () => {
    const inputs = schedules.map((s) => JSON.parse(text(s.Target.Input)));
    expect(inputs.map((i) => i.TableArn).sort()).toEqual(Object.values(tableIds).map((id) => `<${id}.Arn>`).sort());
    for (const [name, id] of Object.entries(tableIds)) {
      const input = inputs.find((i) => i.TableArn === `<${id}.Arn>`);
      expect(input).toEqual({
        TableArn: `<${id}.Arn>`,
        S3Bucket: `<${bucketId}>`,
        S3Prefix: EXPORTED_TABLES[name as keyof typeof EXPORTED_TABLES].prefix,
        S3SseAlgorithm: 'KMS',
        S3SseKmsKeyId: `<${keyId}.Arn>`,
        ExportFormat: 'DYNAMODB_JSON',
        ExportType: 'FULL_EXPORT',
        // One export per scheduled time, however often Scheduler retries it.
        ClientToken: `${name}-<aws.scheduler.scheduled-time>`,
      });
    }
    for (const s of schedules) {
      expect(s).toMatchObject({ ScheduleExpression: 'cron(0 3 * * ? *)', ScheduleExpressionTimezone: 'Etc/UTC', State: 'ENABLED' });
      // EventBridge Scheduler calls the API itself (a universal target): no function of ours runs.
      expect(text(s.Target.Arn)).toBe('arn:<AWS::Partition>:scheduler:::aws-sdk:dynamodb:exportTableToPointInTime');
      expect(s.Target.RoleArn).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    }
  });

  it('run as a role Scheduler alone assumes, for this account, that may export those three tables into the exports prefix and nothing else', () => {
    expect(resources[roleId]!.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } },
    ]);
    expect(resources[roleId]!.Properties.ManagedPolicyArns).toBeUndefined();
    const statements = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(`"${roleId}"`))
      .flatMap((r) => r.Properties.PolicyDocument.Statement as { Effect: string; Action: string | string[]; Resource: unknown }[])
      .map((s) => `${s.Effect} ${[s.Action].flat().join(',')} @ ${[s.Resource].flat().map(text).join(',')}`);
    expect(statements.sort()).toEqual(
      [
        ...Object.values(tableIds).map((id) => `Allow dynamodb:ExportTableToPointInTime @ <${id}.Arn>`),
        `Allow s3:PutObject,s3:PutObjectAcl,s3:AbortMultipartUpload @ <${bucketId}.Arn>/dynamodb/*`,
        `Allow kms:Decrypt,kms:DescribeKey,kms:Encrypt,kms:ReEncrypt*,kms:GenerateDataKey* @ <${keyId}.Arn>`,
      ].sort(),
    );
  });

  it('are the only ones that may export a table', () => {
    const exporters = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.PolicyDocument).includes('ExportTableToPointInTime'))
      .map((r) => r.Properties.Roles);
    expect(exporters).toEqual([[{ Ref: roleId }]]);
  });

  it('land in a versioned, private, TLS-only bucket encrypted with the data key, whose Athena results expire after a month', () => {
    const bucket = resources[bucketId]!;
    expect(bucket.Properties).toMatchObject({
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } }, BucketKeyEnabled: true }] },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    expect(bucket.Properties.LifecycleConfiguration.Rules).toEqual(
      expect.arrayContaining([expect.objectContaining({ Prefix: 'athena-results/', ExpirationInDays: 30, Status: 'Enabled' }), expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } })]),
    );
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('are not part of the local stage (npx handrail audit export is)', () => {
    const local = Template.fromStack(buildApp({ stage: 'local', bundling: false, outdir: mkdtempSync(join(tmpdir(), 'cdk-')) }).stack);
    expect(Object.keys(local.findResources('AWS::Scheduler::Schedule'))).toEqual([]);
    expect(Object.keys(local.findResources('AWS::Glue::Table'))).toEqual([]);
  });
});

/** A Glue (Hive) type: a struct's fields, an array's element, or a primitive's name. */
type GlueType = { struct: Map<string, GlueType> } | { array: GlueType } | { primitive: string };

function parseGlueType(type: string): GlueType {
  let at = 0;
  const take = (s: string) => {
    if (!type.startsWith(s, at)) throw new Error(`expected "${s}" at ${at} of ${type.slice(at, at + 40)}`);
    at += s.length;
  };
  const name = () => {
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(type.slice(at));
    if (!m) throw new Error(`expected a name at ${at}`);
    at += m[0].length;
    return m[0];
  };
  const parse = (): GlueType => {
    const word = name();
    if (word === 'struct') {
      take('<');
      const fields = new Map<string, GlueType>();
      do {
        if (type[at] === ',') at++;
        const field = name();
        take(':');
        if (fields.has(field.toLowerCase())) throw new Error(`field ${field} twice (Athena reads names case-insensitively)`);
        fields.set(field, parse());
      } while (type[at] === ',');
      take('>');
      return { struct: fields };
    }
    if (word === 'array') {
      take('<');
      const of = parse();
      take('>');
      return { array: of };
    }
    return { primitive: word };
  };
  const parsed = parse();
  if (at !== type.length) throw new Error(`trailing text at ${at}`);
  return parsed;
}

/** The column paths a query reads from `item` (any alias), `[]` for an array's elements (in transform lambdas). */
function pathsOf(sql: string): { path: string[]; followedBy: string }[] {
  const plain = sql.replace(/"/g, '');
  const out: { path: string[]; followedBy: string }[] = [];
  for (const m of plain.matchAll(/\bitem((?:\.[A-Za-z_]+)+)(.{0,12})/g)) out.push({ path: ['item', ...m[1]!.slice(1).split('.')], followedBy: m[2]! });
  for (const m of plain.matchAll(/transform\(\w+\.item((?:\.[A-Za-z_]+)+),\s*(\w+)\s*->\s*\2((?:\.[A-Za-z_]+)+)\)/g)) {
    out.push({ path: ['item', ...m[1]!.slice(1).split('.'), '[]', ...m[3]!.slice(1).split('.')], followedBy: ')' });
  }
  return out;
}

function resolve(type: GlueType, path: string[]): GlueType | undefined {
  let at: GlueType | undefined = type;
  for (const segment of path) {
    if (!at) return undefined;
    if (segment === '[]') at = 'array' in at ? at.array : undefined;
    else at = 'struct' in at ? at.struct.get(segment) : undefined;
  }
  return at;
}

const glueTables = Object.values(template.findResources('AWS::Glue::Table')).map((t) => t.Properties.TableInput);
const tableOf = (query: AuditQuery) => {
  const read = [...new Set([...query.sql.matchAll(/\bFROM\s+(\w+)/g)].map((m) => m[1]!))].filter((name) => glueTables.some((t) => t.Name === name));
  expect(read, `${query.name} reads one exported table`).toHaveLength(1);
  return glueTables.find((t) => t.Name === read[0])!;
};
const itemTypeOf = (table: { StorageDescriptor: { Columns: { Name: string; Type: string }[] } }) => ({ struct: new Map([['item', parseGlueType(table.StorageDescriptor.Columns.find((c) => c.Name === 'item')!.Type)]]) }) as GlueType;

describe('the Glue tables', () => {
  it('are one per exported table, in the stage exports database, over JSON with the OpenX SerDe', () => {
    template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: 'handrail_dev_exports' } });
    expect(glueTables.map((t) => t.Name).sort()).toEqual(['approvals', 'audit_events', 'runs']);
    for (const t of glueTables) {
      expect(t.StorageDescriptor.Columns.map((c: { Name: string }) => c.Name)).toEqual(['item']);
      expect(t.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.openx.data.jsonserde.JsonSerDe');
      expect(t.Parameters).toMatchObject({ classification: 'json', compressionType: 'gzip' });
    }
  });

  it('read one export at a time: partitioned by export id (injected), only its data files', () => {
    for (const [name, exported] of Object.entries(EXPORTED_TABLES)) {
      const t = glueTables.find((g) => g.Name === exported.glueName)!;
      expect(t.PartitionKeys).toEqual([expect.objectContaining({ Name: EXPORT_ID_COLUMN, Type: 'string' })]);
      expect(t.Parameters['projection.enabled']).toBe('true');
      expect(t.Parameters[`projection.${EXPORT_ID_COLUMN}.type`]).toBe('injected');
      // DynamoDB writes <S3Prefix>/AWSDynamoDB/<exportId>/data/*.json.gz (and manifests beside data/).
      expect(text(t.Parameters['storage.location.template']), name).toBe(`s3://<${bucketId}>/${exported.prefix}/AWSDynamoDB/\${${EXPORT_ID_COLUMN}}/data/`);
    }
  });

  it('type every attribute as DynamoDB JSON: a struct of its descriptors', () => {
    const runs = itemTypeOf(glueTables.find((t) => t.Name === 'runs')!);
    const descriptors = (path: string) => {
      const t = resolve(runs, path.split('.'));
      return t && 'struct' in t ? [...t.struct.keys()] : t;
    };
    expect(descriptors('item.runId')).toEqual(['S']);
    expect(descriptors('item.costUsd')).toEqual(['N']);
    expect(descriptors('item.error')).toEqual(['S', 'M']);
    expect(descriptors('item.usage.M')).toEqual(['inputTokens', 'outputTokens']);
    expect(resolve(runs, ['item', 'output', 'M', 'passages', 'L', '[]', 'M', 'docId', 'S'])).toEqual({ primitive: 'string' });
  });
});

describe('the Athena workgroup and named queries', () => {
  const queries = Object.values(template.findResources('AWS::Athena::NamedQuery')).map((q) => q.Properties);
  const workGroupId = idOf('AWS::Athena::WorkGroup', 'AuditExportsWorkGroup');

  it('writes every result encrypted to the exports bucket, whatever the client asks', () => {
    expect(resources[workGroupId]!.Properties).toMatchObject({
      Name: 'handrail-dev-audit',
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        ResultConfiguration: { EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: { 'Fn::GetAtt': [keyId, 'Arn'] } } },
      },
    });
    expect(text(resources[workGroupId]!.Properties.WorkGroupConfiguration.ResultConfiguration.OutputLocation)).toBe(`s3://<${bucketId}>/athena-results/`);
  });

  it('names the bucket, database and workgroup in stable stack outputs', () => {
    const outputs = template.findOutputs('*');
    expect(outputs.ExportsBucketName!.Value).toEqual({ Ref: bucketId });
    expect(outputs.ExportsDatabase!.Value).toBe('handrail_dev_exports');
    expect(outputs.AuditWorkGroup!.Value).toEqual({ Ref: workGroupId });
  });

  it('saves exactly the three auditor queries in it, on the exports database', () => {
    expect(queries.map((q) => q.Name).sort()).toEqual(['cost-by-workflow-per-month', 'decisions-by-reviewer-last-quarter', 'runs-that-cited-document']);
    for (const q of queries) {
      expect(q).toMatchObject({ Database: 'handrail_dev_exports', WorkGroup: { Ref: workGroupId } });
      expect(q.QueryString).toBe(AUDIT_QUERIES.find((a) => a.name === q.Name)!.sql);
    }
  });

  it.each(AUDIT_QUERIES.map((q) => [q.name, q] as const))('%s names its export first and has one ? per parameter', (_name, query) => {
    expect(query.sql.match(/\?/g)).toHaveLength(query.parameters.length);
    expect(query.sql.indexOf(`${EXPORT_ID_COLUMN} = ?`)).toBe(query.sql.indexOf('?') - `${EXPORT_ID_COLUMN} = `.length);
    expect(query.sql.match(new RegExp(`${EXPORT_ID_COLUMN} = \\?`, 'g'))).toHaveLength(1);
  });

  it.each(AUDIT_QUERIES.map((q) => [q.name, q] as const))('%s reads only columns the Glue table has, each to a value (or tests a struct for NULL)', (_name, query) => {
    const item = itemTypeOf(tableOf(query));
    const paths = pathsOf(query.sql);
    expect(paths.length).toBeGreaterThan(3);
    for (const { path, followedBy } of paths) {
      const type = resolve(item, path);
      expect(type, `${path.join('.')} is not in the Glue schema of ${tableOf(query).Name}`).toBeDefined();
      if ('struct' in type!) expect(followedBy, `${path.join('.')} is a struct`).toMatch(/^ IS NOT NULL/);
      if ('array' in type!) expect(followedBy, `${path.join('.')} is an array`).toMatch(/^,/); // only as transform's input
    }
  });
});

/**
 * Items as an export writes them: the records modules write them to DynamoDB (the emulator), and a
 * Scan through the low-level client returns each in DynamoDB JSON, the export's `Item`.
 */
describe('the schema and the queries against items the records modules write', () => {
  let env: EmulatorEnv;
  const items: Record<keyof typeof EXPORTED_TABLES, Record<string, AttributeValue>[]> = { runs: [], approvals: [], audit: [] };
  const names = { runs: 'exp-runs', approvals: 'exp-approvals', audit: 'exp-audit' };

  beforeAll(async () => {
    env = await startEmulatorEnv({
      name: 'exports',
      env: { [ENV.runsTable]: names.runs, [ENV.approvalsTable]: names.approvals, [ENV.auditTable]: names.audit },
      tables: [
        { TableName: names.runs, ...stringKeys('runId', 'sk') },
        { TableName: names.approvals, AttributeDefinitions: [{ AttributeName: 'approvalId', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'approvalId', KeyType: 'HASH' }] },
        { TableName: names.audit, ...stringKeys('subject', 'at') },
      ],
    });
    const now = new Date().toISOString();
    await createRun({ runId: 'run-1', workflowId: 'support-reply', workflowVersion: 'v1', releaseId: 'rel-1', status: 'delivered', input: { subject: 'refund' }, createdAt: now, updatedAt: now });
    await createRun({ runId: 'run-2', workflowId: 'support-reply', workflowVersion: 'v1', status: 'failed', input: {}, createdAt: now, updatedAt: now, error: { error: 'States.Timeout', cause: 'slow' }, replay: { replayId: 'rp-1', of: 'run-1' } });
    const passage = { collection: 'support', title: 'Refunds', sha256: 'a'.repeat(64), s3Key: 'k', text: 'Refunds within 30 days', score: 1.5 };
    await putStepRecord({
      runId: 'run-1', stepId: 'find_policy', kind: 'retrieve', status: 'succeeded', startedAt: now, finishedAt: now, latencyMs: 3, knowledgeSnapshot: 'support#abc',
      output: { query: 'refund', passages: [{ ...passage, n: 1, docId: 'refund-policy', version: 2, passageId: 'refund-policy@v2#0' }, { ...passage, n: 2, docId: 'faq', version: 1, passageId: 'faq@v1#0' }] },
    });
    await putStepRecord({
      runId: 'run-1', stepId: 'draft_reply', kind: 'generate', status: 'succeeded', startedAt: now, finishedAt: now, latencyMs: 900, provider: 'bedrock', model: 'claude',
      output: { text: 'You can get a refund [1].', provider: 'bedrock', model: 'claude', citations: [1] }, usage: { inputTokens: 120, outputTokens: 30 }, costUsd: 0.00042,
    });
    await putStepRecord({ runId: 'run-2', stepId: 'draft_reply', kind: 'generate', status: 'failed', startedAt: now, finishedAt: now, latencyMs: 5, error: 'ModelError: x', usage: { inputTokens: 1, outputTokens: 0 }, costUsd: null, costNote: 'no price' });
    const approval = {
      approvalId: 'run-1.review.0', runId: 'run-1', workflowId: 'support-reply', stepId: 'review', level: 0, status: 'pending', reviewers: ['lead@example.com'], taskToken: 't', requestedAt: now, deadline: now,
      input: {}, draft: { text: 'You can get a refund [1].', provider: 'bedrock', model: 'claude', citations: [1] }, draftHash: 'h', reasons: [], requiredApprovals: 1, allowSelfApproval: false, votes: [], voterIds: [],
      sources: [{ n: 1, title: 'Refunds', docId: 'refund-policy', version: 2, passageId: 'refund-policy@v2#0', text: 'Refunds within 30 days', score: 1.5 }],
    } satisfies ApprovalRecord;
    await putApprovalRequest(approval);
    await recordDecision(approval.approvalId, { action: 'reject', reviewer: 'lead@example.com', channel: 'api', reasonCode: 'tone', reason: 'too curt', decidedAt: now }, undefined, 'h');
    // The decision events, with the details their writers record (functions/approvals/decide.ts, decide-item.ts, autonomy/auto-approve.ts).
    await recordAudit({ subject: 'run-1', runId: 'run-1', type: 'approval.decided', actor: 'lead@example.com', details: { approvalId: approval.approvalId, action: 'reject', channel: 'api', authenticatedBy: 'id_token', reasonCode: 'tone', reason: 'too curt', resumed: 'sent' } });
    await recordAudit({ subject: 'run-1', runId: 'run-1', type: 'approval.item_decided', actor: 'lead@example.com', details: { approvalId: approval.approvalId, itemId: 'part-1', action: 'edit', channel: 'slack', authenticatedBy: 'slack' } });
    await recordAudit({ subject: 'run-2', runId: 'run-2', type: 'approval.vote', actor: 'ops@example.com', details: { approvalId: 'run-2.review.0', channel: 'review_link', authenticatedBy: 'review_link', votes: 1, required: 2 } });
    await recordAudit({ subject: 'access', type: 'access.denied', actor: 'x@example.com', details: { route: '/runs' } });
    const ddb = new DynamoDBClient({});
    for (const [name, table] of Object.entries(names)) items[name as keyof typeof items] = (await ddb.send(new ScanCommand({ TableName: table }))).Items ?? [];
    ddb.destroy();
  });
  afterAll(async () => {
    await env?.stop();
  });

  /** Whether a DynamoDB JSON value fits a Glue type, as the OpenX SerDe reads it. */
  function conforms(value: unknown, type: GlueType, where: string): string[] {
    if ('primitive' in type) {
      const ok = type.primitive === 'boolean' ? typeof value === 'boolean' : typeof value === 'string';
      return ok ? [] : [`${where}: ${JSON.stringify(value)} is not a ${type.primitive}`];
    }
    if ('array' in type) return Array.isArray(value) ? value.flatMap((v, i) => conforms(v, type.array, `${where}[${i}]`)) : [`${where} is not an array`];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${where} is not an object`];
    return [...type.struct].flatMap(([field, t]) => (field in value ? conforms((value as Record<string, unknown>)[field], t, `${where}.${field}`) : []));
  }

  it('every item fits its Glue type', () => {
    for (const [name, exported] of Object.entries(EXPORTED_TABLES)) {
      const item = itemTypeOf(glueTables.find((t) => t.Name === exported.glueName)!);
      expect(items[name as keyof typeof items].length, name).toBeGreaterThan(0);
      for (const i of items[name as keyof typeof items]) expect(conforms({ item: i }, item, exported.glueName)).toEqual([]);
    }
  });

  /** The values a path reaches in an item (arrays fanned out). */
  function valuesAt(value: unknown, path: string[]): unknown[] {
    if (!path.length) return value === undefined ? [] : [value];
    const [head, ...rest] = path;
    if (head === '[]') return Array.isArray(value) ? value.flatMap((v) => valuesAt(v, rest)) : [];
    return value && typeof value === 'object' && head! in value ? valuesAt((value as Record<string, unknown>)[head!], rest) : [];
  }

  it.each(AUDIT_QUERIES.map((q) => [q.name, q] as const))('%s: every column it reads holds a value on some item the records write', (_name, query) => {
    const table = Object.entries(EXPORTED_TABLES).find(([, t]) => t.glueName === tableOf(query).Name)![0] as keyof typeof items;
    for (const { path } of pathsOf(query.sql)) {
      const found = items[table].flatMap((i) => valuesAt({ item: i }, path));
      expect(found.length, `${path.join('.')} is on no ${table} item`).toBeGreaterThan(0);
    }
  });

  it('the citation join finds the run that cited a document, through the passage number', () => {
    // runs-that-cited-document's join, on the exported items: retrieve passages (n, docId) × generate citations (n), per run.
    const runs = items.runs;
    const found = runs.filter((i) => i.kind?.S === 'retrieve').flatMap((i) => (i.output?.M?.passages?.L ?? []).map((p) => ({ run: i.runId!.S, n: p.M!.n!.N, doc: p.M!.docId!.S })));
    const cited = runs.filter((i) => i.kind?.S === 'generate').flatMap((i) => (i.output?.M?.citations?.L ?? []).map((c) => ({ run: i.runId!.S, n: c.N })));
    const citing = (doc: string) => [...new Set(found.filter((f) => f.doc === doc && cited.some((c) => c.run === f.run && c.n === f.n)).map((f) => f.run))];
    expect(citing('refund-policy')).toEqual(['run-1']);
    expect(citing('faq')).toEqual([]); // retrieved, not cited
  });
});
