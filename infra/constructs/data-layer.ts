/**
 * Where Handrail keeps its records: runs/steps, approvals, audit events, knowledge versions and the
 * model gateway's state (cooldowns, usage counters) in DynamoDB (on-demand, point-in-time recovery,
 * KMS), knowledge documents in a versioned S3 bucket. One KMS key encrypts them all, and the
 * stage's log groups (CloudWatch Logs may use it for them).
 */
import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge, nagArn } from './acknowledge.js';
import { TTL_ATTRIBUTE } from '../../functions/shared/ttl.js';
import { collectionPrefix, KNOWLEDGE_PREFIX } from '../../functions/knowledge/validation.js';

/** The DynamoDB item actions Handrail's code sends (tests/infra/least-privilege.test.ts maps them from the code). */
export type ItemAction = 'dynamodb:GetItem' | 'dynamodb:BatchGetItem' | 'dynamodb:PutItem' | 'dynamodb:UpdateItem' | 'dynamodb:Query' | 'dynamodb:Scan' | 'dynamodb:BatchWriteItem';

const WRITE_ACTIONS: ReadonlySet<string> = new Set(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem', 's3:PutObject']);
/** What a principal needs of the data key to read (DynamoDB, S3)... */
const KEY_READ = ['kms:Decrypt', 'kms:DescribeKey'];
/** ... and to write as well. */
const KEY_WRITE = [...KEY_READ, 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'];

export interface DataLayerProps {
  /** Tables and bucket are kept on stack deletion unless this is false. @default true */
  readonly retainData?: boolean;
}

export class DataLayer extends Construct {
  readonly key: kms.Key;
  readonly runs: dynamodb.Table;
  readonly approvals: dynamodb.Table;
  readonly audit: dynamodb.Table;
  readonly knowledge: dynamodb.Table;
  /** The model gateway's state: provider health (cooldowns) and usage counters per workflow and day. */
  readonly gateway: dynamodb.Table;
  /** API keys of webhook senders: a hash of each secret, its scope, whether it is revoked. */
  readonly apiKeys: dynamodb.Table;
  /** Every release a run started on, with its manifest (functions/records/releases.ts). */
  readonly releases: dynamodb.Table;
  /** Per-caller request counters (functions/limits/throttle.ts): one item per caller and window, deleted by TTL. */
  readonly throttle: dynamodb.Table;
  readonly knowledgeBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: DataLayerProps = {}) {
    super(scope, id);
    const removalPolicy = props.retainData === false ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    this.key = new kms.Key(this, 'DataKey', { enableKeyRotation: true, description: 'Handrail data at rest', removalPolicy });
    // CloudWatch Logs encrypts the stage's log groups with the key (the EncryptLogGroups aspect),
    // only for log groups of this account and region (the encryption context it passes).
    const stack = Stack.of(this);
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogsEncryptsLogGroups',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
        },
      }),
    );

    const table = (name: string, partitionKey: string, sortKey?: string, timeToLiveAttribute?: string) =>
      new dynamodb.Table(this, name, {
        partitionKey: { name: partitionKey, type: dynamodb.AttributeType.STRING },
        ...(sortKey ? { sortKey: { name: sortKey, type: dynamodb.AttributeType.STRING } } : {}),
        ...(timeToLiveAttribute ? { timeToLiveAttribute } : {}),
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
        encryptionKey: this.key,
        removalPolicy,
      });

    // Runs, step records and approvals expire by their workflow's `retention` (state-machines/
    // retention.ts): each carries the TTL attribute, set when it is written (functions/shared/ttl.ts).
    this.runs = table('RunsTable', 'runId', 'sk', TTL_ATTRIBUTE);
    this.runs.addGlobalSecondaryIndex({
      indexName: 'byWorkflow',
      partitionKey: { name: 'workflowId', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'createdAt', type: dynamodb.AttributeType.STRING },
    });
    // Sparse: only retrieve step records carry `knowledgeSnapshot` (functions/knowledge/snapshots.ts):
    // which runs searched a given knowledge version.
    this.runs.addGlobalSecondaryIndex({
      indexName: 'bySnapshot',
      partitionKey: { name: 'knowledgeSnapshot', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'runId', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.KEYS_ONLY,
    });
    // Sparse: only runs waiting in the human queue carry `humanQueue` (functions/records/human-queue.ts):
    // the SLA sweep reads them, oldest first, and nothing else.
    this.runs.addGlobalSecondaryIndex({
      indexName: 'byHumanQueue',
      partitionKey: { name: 'humanQueue', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'queuedAt', type: dynamodb.AttributeType.STRING },
    });
    this.approvals = table('ApprovalsTable', 'approvalId', undefined, TTL_ATTRIBUTE);
    this.approvals.addGlobalSecondaryIndex({
      indexName: 'byStatus',
      partitionKey: { name: 'status', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'requestedAt', type: dynamodb.AttributeType.STRING },
    });
    // Sparse: only decisions whose run may not have taken them yet carry `resumeState`
    // (functions/approvals/reconcile-decisions.ts sweeps it).
    this.approvals.addGlobalSecondaryIndex({
      indexName: 'byResume',
      partitionKey: { name: 'resumeState', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'resumeRequestedAt', type: dynamodb.AttributeType.STRING },
    });
    // Append-only audit events, and Slack request nonces (functions/notifications/slack-signature.ts),
    // which carry the TTL attribute so DynamoDB deletes them once a replay is too old to verify.
    // Audit events never carry it (functions/records/audit.ts writes named fields only).
    this.audit = table('AuditTable', 'subject', 'at', TTL_ATTRIBUTE);
    this.knowledge = table('KnowledgeTable', 'collection', 'docVersion');
    this.gateway = table('GatewayTable', 'pk', 'sk');
    this.apiKeys = table('ApiKeysTable', 'keyId');
    this.releases = table('ReleasesTable', 'releaseId');
    // Request counters: one small item per caller and window; TTL deletes it after its window.
    this.throttle = table('ThrottleTable', 'bucket', undefined, TTL_ATTRIBUTE);
    // Sparse: only usage counters carry `day`, so GET /usage?day= reads one day across workflows.
    this.gateway.addGlobalSecondaryIndex({
      indexName: 'byDay',
      partitionKey: { name: 'day', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'workflowId', type: dynamodb.AttributeType.STRING },
    });

    this.knowledgeBucket = new s3.Bucket(this, 'KnowledgeBucket', {
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy,
      // A stage whose data is not retained (dev) empties its versioned bucket on `cdk destroy`,
      // which would otherwise fail on a bucket that is not empty.
      autoDeleteObjects: props.retainData === false,
    });
    acknowledge(this.knowledgeBucket, 'S1',
      "who wrote each knowledge version is in the knowledge table and the audit trail, and only the stage's functions can read or write (private, TLS-only, KMS); object-level access logs, if wanted, are CloudTrail S3 data events for the account rather than a second bucket per stage");
  }

  /**
   * Exactly `actions` on `table` (and its indexes), with the data key uses they need: decrypt to
   * read, encrypt and data keys to write.
   *
   * @example data.grantTable(data.audit, fn, 'dynamodb:PutItem')
   */
  grantTable(table: dynamodb.Table, grantee: iam.IGrantable, ...actions: ItemAction[]): void {
    table.grant(grantee, ...actions);
    this.grantKey(grantee, actions.some((a) => WRITE_ACTIONS.has(a)) ? 'write' : 'read');
    if (Construct.isConstruct(grantee)) {
      acknowledge(grantee, `IAM5[Resource::${nagArn(table, table.tableArn)}/index/*]`, `the same actions on this table's own secondary indexes (Query by workflow, status, day), which CDK grants as table/index/*`);
    }
  }

  /**
   * Strongly consistent reads by key of runs and approvals (functions/records/consistent-reads.ts):
   * one BatchGetItem carries the reads of both tables that concurrent callers ask (a step's run, its
   * step records and the decided approval), so a function that reads either way may read both.
   */
  grantKeyReads(grantee: iam.IGrantable): void {
    this.grantTable(this.runs, grantee, 'dynamodb:BatchGetItem');
    this.grantTable(this.approvals, grantee, 'dynamodb:BatchGetItem');
  }

  /**
   * Appending to the audit trail (functions/records/audit.ts): a create-only PutItem of the next event
   * of a stream, and a Query of the stream's head when another writer took that place. Never an
   * update or a delete: the trail is append-only for every function.
   */
  grantAuditAppend(grantee: iam.IGrantable): void {
    this.grantTable(this.audit, grantee, 'dynamodb:PutItem', 'dynamodb:Query');
  }

  /**
   * Exporting tables to S3 (`ExportTableToPointInTime`, infra/constructs/audit-exports.ts): DynamoDB
   * reads each table's point-in-time snapshot, never an item through the API, and writes the files
   * with the exporter's credentials, encrypted with the data key (it decrypts the tables with it too).
   * The bucket's own actions are the caller's to grant. Returns the table's statement.
   */
  grantExport(grantee: iam.IGrantable, table: dynamodb.Table): iam.PolicyStatement {
    const statement = new iam.PolicyStatement({ actions: ['dynamodb:ExportTableToPointInTime'], resources: [table.tableArn] });
    grantee.grantPrincipal.addToPrincipalPolicy(statement);
    this.grantKey(grantee, 'write');
    return statement;
  }

  /**
   * Reads (`s3:GetObject`, with `s3:GetObjectVersion` for pinned versions) or writes
   * (`s3:PutObject`) knowledge documents: only under the knowledge prefix, nothing else.
   */
  grantKnowledgeObjects(grantee: iam.IGrantable, ...actions: ('s3:GetObject' | 's3:GetObjectVersion' | 's3:PutObject')[]): void {
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: [this.knowledgeBucket.arnForObjects(`${KNOWLEDGE_PREFIX}*`)] }));
    if (Construct.isConstruct(grantee)) {
      acknowledge(grantee, `IAM5[Resource::${nagArn(this, this.knowledgeBucket.bucketArn)}/${KNOWLEDGE_PREFIX}*]`, 'knowledge documents are keyed by collection, document and version under the knowledge prefix; the prefix is the narrowest scope that covers a document not yet written');
    }
    this.grantKey(grantee, actions.some((a) => WRITE_ACTIONS.has(a)) ? 'write' : 'read');
  }

  /**
   * What one workflow's retrieval may read: the latest versions of its collections only (Query on
   * their partitions of the knowledge table: `dynamodb:LeadingKeys`) and their objects (their S3
   * prefixes); it also keeps the snapshots it searched there (a create-only PutItem, same partitions).
   * A workflow cannot read a collection that does not list it (state-machines/collections.yaml).
   */
  grantCollectionsRead(grantee: iam.IGrantable, collections: readonly string[]): void {
    this.grantCollections(grantee, collections, {
      table: 'KnowledgeOfOwnCollections',
      objects: { sid: 'ReadOwnCollections', actions: ['s3:GetObject', 's3:GetObjectVersion'] },
      why: (c) => `the documents of the collection ${c}, which this workflow reads: every version under its prefix (new versions get new keys)`,
    });
  }

  /**
   * Adds versions to the given collections (approved knowledge edits, a scheduled sync), nothing
   * else of the knowledge store: reads their
   * partitions (the latest version, the document's history) and commits new versions (conditional
   * puts) there, and puts new objects under their prefixes (a HEAD when the key exists: GetObject).
   */
  grantCollectionsWrite(grantee: iam.IGrantable, collections: readonly string[]): void {
    this.grantCollections(grantee, collections, {
      table: 'VersionsOfPublishedCollections',
      objects: { sid: 'WritePublishedCollections', actions: ['s3:PutObject', 's3:GetObject'] },
      why: (c) => `the documents of the collection ${c}, which this function adds versions to: each new version is a new key under its prefix`,
    });
  }

  /**
   * The collections' partitions of the knowledge table (Query, and create-only puts: snapshots or
   * versions) and `objects.actions` on their S3 prefixes, each prefix acknowledged with `why`.
   */
  private grantCollections(
    grantee: iam.IGrantable,
    collections: readonly string[],
    grant: { table: string; objects: { sid: string; actions: string[] }; why: (collection: string) => string },
  ): void {
    const principal = grantee.grantPrincipal;
    principal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: grant.table,
        actions: ['dynamodb:Query', 'dynamodb:PutItem'],
        resources: [this.knowledge.tableArn],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [...collections] } },
      }),
    );
    principal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: grant.objects.sid,
        actions: grant.objects.actions,
        resources: collections.map((c) => this.knowledgeBucket.arnForObjects(`${collectionPrefix(c)}*`)),
      }),
    );
    if (Construct.isConstruct(grantee)) {
      for (const c of collections) acknowledge(grantee, `IAM5[Resource::${nagArn(this, this.knowledgeBucket.bucketArn)}/${collectionPrefix(c)}*]`, grant.why(c));
    }
    this.grantKey(grantee, 'write');
  }

  private grantKey(grantee: iam.IGrantable, use: 'read' | 'write'): void {
    this.key.grant(grantee, ...(use === 'write' ? KEY_WRITE : KEY_READ));
    if (use === 'write' && Construct.isConstruct(grantee)) acknowledgeKeyWildcards(grantee);
  }
}

/** DynamoDB and S3 encrypt with the stage's one data key through these action families (SSE-KMS). */
export function acknowledgeKeyWildcards(grantee: Construct): void {
  const reason = "the data key actions DynamoDB and S3 use for SSE-KMS (GenerateDataKey, GenerateDataKeyWithoutPlaintext; ReEncryptFrom/To), on the stage's one data key only";
  acknowledge(grantee, 'IAM5[Action::kms:GenerateDataKey*]', reason);
  acknowledge(grantee, 'IAM5[Action::kms:ReEncrypt*]', reason);
}
