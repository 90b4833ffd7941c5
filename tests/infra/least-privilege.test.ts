/**
 * Policy versus code: every Lambda function's role grants exactly the AWS actions its code can
 * send, on exactly the tables, bucket and secrets it sends them to, no more and no less.
 *
 * The code side is read from each function's bundle (tests/infra/sdk-usage.ts): esbuild follows the
 * static imports of the function's entry (`handrail:entry`) and leaves out what no code path
 * reaches, as in the bundle that ships; every AWS SDK command left in it is mapped to the IAM
 * actions it needs (SDK_ACTIONS below). The resource is the one the module that sends the command
 * names through its environment (`ENV.auditTable` → the function's `HANDRAIL_AUDIT_TABLE` → the
 * template resource), so a PutItem on the audit table is not a licence for a PutItem on runs.
 *
 * The policy side is the synthesized template: every statement of the function's role, KMS,
 * CloudWatch Logs and X-Ray left out (they follow from the data access and from Lambda itself).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { s3KeyOf } from '../../functions/knowledge/document-store.js';
import { parseS3Source } from '../../functions/knowledge/s3-source.js';
import { ENV } from '../../functions/shared/env-names.js';
import { buildApp } from '../../infra/app-factory.js';
import { KNOWLEDGE_PREFIX } from '../../functions/knowledge/validation.js';
import { EXPORTS_PREFIX } from '../../infra/constructs/audit-exports.js';
import { INBOUND_MAIL_PREFIX } from '../../infra/constructs/inbound-email.js';
import { ENTRY_METADATA, KIND_METADATA } from '../../infra/constructs/handrail-function.js';
import { sdkUsageOf, type SdkCommandUse } from './sdk-usage.js';

/**
 * AWS SDK command → the IAM actions it needs (Service Authorization Reference). A command the code
 * sends that is not here fails the test: add it, with the actions AWS documents for it.
 */
const SDK_ACTIONS: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  '@aws-sdk/lib-dynamodb': {
    GetCommand: ['dynamodb:GetItem'],
    PutCommand: ['dynamodb:PutItem'],
    UpdateCommand: ['dynamodb:UpdateItem'],
    DeleteCommand: ['dynamodb:DeleteItem'],
    QueryCommand: ['dynamodb:Query'],
    ScanCommand: ['dynamodb:Scan'],
    BatchGetCommand: ['dynamodb:BatchGetItem'],
    // Only PutRequests here; a DeleteRequest would need nothing more (BatchWriteItem covers both).
    BatchWriteCommand: ['dynamodb:BatchWriteItem'],
  },
  '@aws-sdk/client-s3': {
    // Reads pin the S3 VersionId recorded with the version (GetObjectVersion), the latest object
    // when none was recorded (GetObject).
    GetObjectCommand: ['s3:GetObject', 's3:GetObjectVersion'],
    // HEAD is authorized as GetObject.
    HeadObjectCommand: ['s3:GetObject'],
    PutObjectCommand: ['s3:PutObject'],
    DeleteObjectCommand: ['s3:DeleteObject'],
    ListObjectsV2Command: ['s3:ListBucket'],
  },
  '@aws-sdk/client-sfn': {
    StartExecutionCommand: ['states:StartExecution'],
    SendTaskSuccessCommand: ['states:SendTaskSuccess'],
    SendTaskFailureCommand: ['states:SendTaskFailure'],
    SendTaskHeartbeatCommand: ['states:SendTaskHeartbeat'],
    DescribeStateMachineAliasCommand: ['states:DescribeStateMachineAlias'],
    UpdateStateMachineAliasCommand: ['states:UpdateStateMachineAlias'],
    CreateStateMachineAliasCommand: ['states:CreateStateMachineAlias'],
    ListStateMachineVersionsCommand: ['states:ListStateMachineVersions'],
    DescribeStateMachineCommand: ['states:DescribeStateMachine'],
    DescribeExecutionCommand: ['states:DescribeExecution'],
    RedriveExecutionCommand: ['states:RedriveExecution'],
  },
  '@aws-sdk/client-secrets-manager': { GetSecretValueCommand: ['secretsmanager:GetSecretValue'] },
  // SES v2 SendEmail (simple or raw content) is authorized as ses:SendEmail.
  '@aws-sdk/client-sesv2': { SendEmailCommand: ['ses:SendEmail'] },
  '@aws-sdk/client-bedrock-runtime': {
    // Converse is authorized as InvokeModel, ConverseStream as InvokeModelWithResponseStream.
    ConverseCommand: ['bedrock:InvokeModel'],
    ConverseStreamCommand: ['bedrock:InvokeModelWithResponseStream'],
    InvokeModelCommand: ['bedrock:InvokeModel'],
  },
};

/** Resource types whose grants are checked per resource; other services per action. */
const PER_RESOURCE: Readonly<Record<string, string>> = {
  dynamodb: 'AWS::DynamoDB::Table',
  s3: 'AWS::S3::Bucket',
  secretsmanager: 'AWS::SecretsManager::Secret',
};

/** Modules that send to a table their caller hands them, with the variable that names it. */
const TABLE_FROM_CALLER: Readonly<Record<string, { readonly env: string | readonly string[]; readonly reason: string }>> = {
  'functions/gateway/health-dynamo.ts': {
    env: ENV.gatewayTable,
    reason: 'DynamoHealthStore is constructed with the table functions/gateway/health.ts reads from HANDRAIL_GATEWAY_TABLE',
  },
  'functions/records/consistent-reads.ts': {
    env: [ENV.runsTable, ENV.approvalsTable],
    reason: 'reads the items its callers name: records/runs.ts getRunAndSteps from HANDRAIL_RUNS_TABLE, records/approvals.ts getApproval from HANDRAIL_APPROVALS_TABLE',
  },
  'functions/connectors/vendor-token.ts': {
    env: [ENV.zendeskSecretArn, ENV.hubspotSecretArn],
    reason: 'reads the token secret its caller names: connectors/zendesk/credentials.ts HANDRAIL_ZENDESK_SECRET_ARN, connectors/hubspot/credentials.ts HANDRAIL_HUBSPOT_SECRET_ARN (each where the stage declares that connector)',
  },
};

/**
 * Modules that send their command only when the function's environment names the resource: without
 * the variable they send nothing, so the function needs no grant for them.
 */
const ONLY_WITH_ENV: Readonly<Record<string, { readonly env: string; readonly reason: string }>> = {
  'functions/notifications/channel-config.ts': {
    env: ENV.channelSecretsArn,
    reason: 'reads the channel secret only when HANDRAIL_CHANNEL_SECRETS_ARN is set; the deliver function has it only when a workflow delivers to Slack',
  },
};

/**
 * Modules that reach resources by a name prefix in the environment instead of a reference: every
 * resource of the service's type whose name starts with the prefix.
 */
const BY_NAME_PREFIX: Readonly<Record<string, { readonly env: string; readonly reason: string }>> = {
  'functions/triggers/webhook-secrets.ts': {
    env: ENV.webhookSecretPrefix,
    reason: "reads the secret of whichever workflow a webhook names: <prefix><workflowId>, one secret per signed workflow",
  },
};

/**
 * Modules that send to buckets outside the stack, named in the function's environment: the scheduled
 * knowledge sync lists and reads (the latest object, no version) the S3 prefixes its collections follow.
 */
const EXTERNAL_S3_SOURCES: Readonly<Record<string, { readonly env: string; readonly reason: string }>> = {
  'functions/knowledge/s3-source.ts': {
    env: ENV.knowledgeSources,
    reason: 'lists and reads the prefixes of HANDRAIL_KNOWLEDGE_SOURCES ({ collection: "s3://bucket/prefix/" }): ListBucket on the bucket, GetObject under the prefix',
  },
};

/** The grants an external source's commands need: `s3:ListBucket @ "arn:aws:s3:::bucket"`, `s3:GetObject @ "arn:aws:s3:::bucket/prefix*"`. */
function externalSourceGrants(use: SdkCommandUse, environment: Record<string, unknown>): string[] | undefined {
  const external = EXTERNAL_S3_SOURCES[use.module];
  if (!external) return undefined;
  const sources = JSON.parse(String(environment[external.env] ?? '{}')) as Record<string, string>;
  return Object.values(sources).flatMap((from) => {
    const { bucket, prefix } = parseS3Source(from)!;
    if (use.command === 'ListObjectsV2Command') return [grantKey('s3:ListBucket', JSON.stringify(`arn:aws:s3:::${bucket}`))];
    if (use.command === 'GetObjectCommand') return [grantKey('s3:GetObject', JSON.stringify(`arn:aws:s3:::${bucket}/${prefix}*`))];
    throw new Error(`${use.module} sends ${use.command} to an external source: say which grant it needs`);
  });
}

/**
 * Grants a function holds that its code does not send, each with why. None today; an entry that is
 * no longer needed fails the test, so the list cannot go stale.
 */
const EXCEPTIONS: readonly { readonly kind: string; readonly grant: string; readonly reason: string }[] = [];

const IGNORED_SERVICES = new Set(['kms', 'logs', 'xray']);

type Cfn = { Type: string; Properties?: Record<string, any>; Metadata?: Record<string, any> };
let resources: Record<string, Cfn>;
let functions: { logicalId: string; kind: string; entry: string; fn: Cfn }[];

beforeAll(() => {
  const { stack } = buildApp({ stage: 'dev', bundling: false, outdir: mkdtempSync(join(tmpdir(), 'cdk-')) });
  resources = Template.fromStack(stack).toJSON().Resources as Record<string, Cfn>;
  functions = Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Metadata?.[KIND_METADATA])
    .map(([logicalId, fn]) => ({ logicalId, kind: String(fn.Metadata![KIND_METADATA]), entry: String(fn.Metadata![ENTRY_METADATA]), fn }));
});

/** Logical ids a template value refers to (Ref, Fn::GetAtt), at any depth. */
function referencedIds(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencedIds);
  if (!value || typeof value !== 'object') return [];
  const v = value as Record<string, unknown>;
  if (typeof v.Ref === 'string') return [v.Ref];
  if (Array.isArray(v['Fn::GetAtt'])) return [String(v['Fn::GetAtt'][0])];
  return Object.values(v).flatMap(referencedIds);
}

/** The literal text of a template value, intrinsics left out (`arn:` + `:iam::aws:policy/…`). */
const templateText = (value: unknown): string =>
  typeof value === 'string' ? value : Array.isArray(value) ? value.map(templateText).join('') : value && typeof value === 'object' && 'Fn::Join' in value ? templateText((value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]) : '';

const serviceOf = (action: string) => action.split(':')[0]!;
const grantKey = (action: string, resourceId?: string) => (resourceId ? `${action} @ ${resourceId}` : action);

/** `dynamodb:PutItem @ DataAuditTable…` for each action and resource the role allows. */
function granted(fn: Cfn): Set<string> {
  const roleId = referencedIds(fn.Properties!.Role)[0]!;
  const role = resources[roleId]!;
  // The only managed policy: Lambda's own (CloudWatch Logs).
  for (const arn of (role.Properties?.ManagedPolicyArns ?? []) as unknown[]) expect(templateText(arn)).toMatch(/:iam::aws:policy\/service-role\/AWSLambdaBasicExecutionRole$/);
  const statements = [
    ...Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && referencedIds(r.Properties!.Roles).includes(roleId))
      .flatMap((r) => r.Properties!.PolicyDocument.Statement),
    ...(role.Properties?.Policies ?? []).flatMap((p: { PolicyDocument: { Statement: unknown[] } }) => p.PolicyDocument.Statement),
  ] as { Effect: string; Action: string | string[]; Resource: unknown }[];
  const out = new Set<string>();
  for (const s of statements) {
    expect(s.Effect).toBe('Allow');
    for (const action of [s.Action].flat()) {
      const service = serviceOf(action);
      if (IGNORED_SERVICES.has(service)) continue;
      const type = PER_RESOURCE[service];
      if (!type) {
        out.add(grantKey(action));
        continue;
      }
      for (const resource of [s.Resource].flat()) {
        const ids = referencedIds(resource).filter((id) => resources[id]?.Type === type);
        // A resource of a per-resource service that names none of the stack's (e.g. "*") stands out as such.
        if (ids.length === 0) out.add(grantKey(action, JSON.stringify(resource)));
        for (const id of ids) out.add(grantKey(action, id));
      }
    }
  }
  return out;
}

/** The resources a command is sent to: the one its module names through the function's environment (or those its name prefix covers). */
function resourcesOf(use: SdkCommandUse, service: string, environment: Record<string, unknown>): string[] {
  const type = PER_RESOURCE[service]!;
  const byPrefix = BY_NAME_PREFIX[use.module];
  if (byPrefix) {
    const prefix = environment[byPrefix.env];
    const ids = typeof prefix === 'string' ? Object.keys(resources).filter((id) => resources[id]!.Type === type && String(resources[id]!.Properties?.Name ?? '').startsWith(prefix)) : [];
    if (!ids.length) throw new Error(`${use.module} sends ${use.command} but no ${type} is named with the prefix ${String(prefix)} (${byPrefix.env})`);
    return ids;
  }
  const onlyWith = ONLY_WITH_ENV[use.module];
  if (onlyWith && environment[onlyWith.env] === undefined) return [];
  const fromCaller = TABLE_FROM_CALLER[use.module];
  const envNames = fromCaller ? [fromCaller.env].flat() : use.envNames;
  const ids = [...new Set(envNames.flatMap((name) => referencedIds(environment[name])).filter((id) => resources[id]?.Type === type))];
  // A module whose callers name its resource may serve one resource per caller.
  if (fromCaller && ids.length >= 1 && ids.length <= envNames.length) return ids;
  if (ids.length !== 1) {
    throw new Error(`${use.module} sends ${use.command} but names ${ids.length === 0 ? 'no' : 'more than one'} ${type} through ENV (${envNames.join(', ') || 'none'}); add it to TABLE_FROM_CALLER with a reason`);
  }
  return [ids[0]!];
}

/** What the code needs, from the commands left in the function's bundle. */
async function needed(entry: string, environment: Record<string, unknown>): Promise<{ grants: Set<string>; uses: readonly SdkCommandUse[] }> {
  const { uses } = await sdkUsageOf(entry);
  const grants = new Set<string>();
  for (const use of uses) {
    const external = externalSourceGrants(use, environment);
    if (external) {
      for (const grant of external) grants.add(grant);
      continue;
    }
    const actions = SDK_ACTIONS[use.sdkPackage]?.[use.command];
    if (!actions) throw new Error(`${use.module} sends ${use.sdkPackage} ${use.command}: add it to SDK_ACTIONS with the IAM actions it needs`);
    for (const action of actions) {
      const service = serviceOf(action);
      if (!PER_RESOURCE[service]) grants.add(grantKey(action));
      else for (const id of resourcesOf(use, service, environment)) grants.add(grantKey(action, id));
    }
  }
  return { grants, uses };
}

const byService = (keys: Iterable<string>) => {
  const out: Record<string, string[]> = {};
  for (const key of [...keys].sort()) (out[serviceOf(key)] ??= []).push(key);
  return out;
};

/**
 * Functions whose code sends no AWS SDK command at all (so an empty analysis is the right answer,
 * not a blind spot of the analyser): they get no data grant, which the test below then checks.
 */
const SENDS_NO_SDK_COMMAND: Readonly<Record<string, string>> = {
  'pre-token-generation': "Cognito's pre token generation trigger computes groups from the event and the mapping in its environment; it calls nothing",
};

describe('least privilege: each role grants exactly what its code sends', () => {
  it('finds every function, with an entry module', () => {
    expect(functions.map((f) => f.kind)).toEqual(expect.arrayContaining(['api', 'console', 'knowledge', 'approval', 'classify', 'deliver', 'finish', 'generate', 'reconcile-decisions', 'reminders', 'retrieve']));
    for (const f of functions) expect(f.entry).toMatch(/^functions\/.+\.ts$/);
  });

  it('grants every function exactly the actions, per service and resource, that its code sends', async () => {
    const mismatches: string[] = [];
    for (const { kind, entry, fn, logicalId } of functions) {
      const environment = (fn.Properties!.Environment?.Variables ?? {}) as Record<string, unknown>;
      const { grants: need, uses } = await needed(entry, environment);
      if (kind in SENDS_NO_SDK_COMMAND) expect(uses, `${kind} is declared to send no AWS SDK command`).toEqual([]);
      else expect(uses.length, `${kind}: no AWS SDK command found in ${entry}'s bundle`).toBeGreaterThan(0);
      const have = granted(fn);
      const allowed = EXCEPTIONS.filter((e) => e.kind === kind).map((e) => e.grant);
      for (const grant of allowed) {
        if (!have.has(grant) || need.has(grant)) mismatches.push(`${kind}: exception "${grant}" is no longer needed; remove it`);
        have.delete(grant);
      }
      const [haveBy, needBy] = [byService(have), byService(need)];
      for (const service of new Set([...Object.keys(haveBy), ...Object.keys(needBy)])) {
        const extra = (haveBy[service] ?? []).filter((g) => !need.has(g));
        const missing = (needBy[service] ?? []).filter((g) => !have.has(g));
        if (extra.length) mismatches.push(`${kind} (${logicalId}) is granted what its code never sends: ${extra.join(', ')}`);
        if (missing.length) mismatches.push(`${kind} (${logicalId}) sends what it is not granted: ${missing.join(', ')}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('lets a function use the data key only as its data access needs: decrypt to read, data keys to write', () => {
    const writes = /^(dynamodb:(PutItem|UpdateItem|BatchWriteItem|DeleteItem)|s3:PutObject)\b/;
    const reads = /^(dynamodb:(GetItem|Query|Scan|BatchGetItem)|s3:GetObject)\b/;
    const keyId = Object.keys(resources).find((id) => resources[id]!.Type === 'AWS::KMS::Key')!;
    for (const { kind, fn } of functions) {
      const roleId = referencedIds(fn.Properties!.Role)[0]!;
      const statements = Object.values(resources)
        .filter((r) => r.Type === 'AWS::IAM::Policy' && referencedIds(r.Properties!.Roles).includes(roleId))
        .flatMap((r) => r.Properties!.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
      const kms = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('kms:')));
      for (const s of kms) expect(referencedIds(s.Resource), `${kind}: KMS on another key`).toEqual([keyId]);
      const keyActions = new Set(kms.flatMap((s) => [s.Action].flat()));
      const actions = [...granted(fn)].map((g) => g.split(' @ ')[0]!);
      expect([...keyActions].every((a) => ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'].includes(a)), `${kind}: ${[...keyActions]}`).toBe(true);
      if (actions.some((a) => reads.test(a) || writes.test(a))) expect(keyActions, kind).toContain('kms:Decrypt');
      if (actions.some((a) => writes.test(a))) expect([...keyActions], kind).toEqual(expect.arrayContaining(['kms:Encrypt', 'kms:GenerateDataKey*']));
      else expect([...keyActions].filter((a) => a !== 'kms:Decrypt' && a !== 'kms:DescribeKey'), `${kind} only reads`).toEqual([]);
    }
  });

  it('limits knowledge object access to the prefix documents are stored under', () => {
    expect(s3KeyOf('support', 'refunds', 1, 'a'.repeat(64)).startsWith(KNOWLEDGE_PREFIX)).toBe(true);
    const s3Statements = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((r) => r.Properties!.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
      .filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:')));
    expect(s3Statements.length).toBeGreaterThan(0);
    const bucketId = (prefix: string) => Object.keys(resources).find((id) => resources[id]!.Type === 'AWS::S3::Bucket' && id.startsWith(prefix))!;
    const [knowledge, exports, inbound] = [bucketId('DataKnowledgeBucket'), bucketId('AuditExportsBucket'), bucketId('InboundEmailBucket')];
    // The S3 prefixes collections follow on a schedule (knowledge-sync.test.ts): their buckets, their prefixes.
    const sources = functions.flatMap(({ fn }) => Object.values(JSON.parse(String(fn.Properties!.Environment?.Variables?.[ENV.knowledgeSources] ?? '{}')) as Record<string, string>));
    expect(sources.length).toBeGreaterThan(0); // the dev stage syncs one
    const external = new Set(sources.flatMap((from) => {
      const { bucket, prefix } = parseS3Source(from)!;
      return [JSON.stringify(`arn:aws:s3:::${bucket}`), JSON.stringify(`arn:aws:s3:::${bucket}/${prefix}*`)];
    }));
    for (const s of s3Statements) {
      const resource = JSON.stringify(s.Resource);
      if (external.has(resource)) continue;
      // The email-trigger function reads the messages SES stored under the inbound prefix only (inbound-email.test.ts).
      if (resource.includes(`"${inbound}"`)) expect(resource).toMatch(new RegExp(`"${inbound}","Arn"\\]\\},"/${INBOUND_MAIL_PREFIX}\\*"`));
      // The exporter (audit-exports.test.ts) writes export files under the exports prefix only.
      else if (resource.includes(`"${exports}"`)) expect(resource).toMatch(new RegExp(`"${exports}","Arn"\\]\\},"/${EXPORTS_PREFIX}\\*"`));
      // The knowledge function writes any collection (writers are checked by the app); each retrieve function reads its own only (knowledge-scope.test.ts).
      else expect(resource).toMatch(new RegExp(`"${knowledge}".*/${KNOWLEDGE_PREFIX}([a-z0-9-]+/)?\\*`));
    }
  });
});
