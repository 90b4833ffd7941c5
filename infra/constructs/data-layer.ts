/**
 * Where Handrail keeps its records: runs/steps, approvals, audit events, knowledge versions and the
 * model gateway's state (cooldowns, usage counters) in DynamoDB (on-demand, point-in-time recovery,
 * KMS), knowledge documents in a versioned S3 bucket.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

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
  readonly knowledgeBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: DataLayerProps = {}) {
    super(scope, id);
    const removalPolicy = props.retainData === false ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    this.key = new kms.Key(this, 'DataKey', { enableKeyRotation: true, description: 'Handrail data at rest', removalPolicy });

    const table = (name: string, partitionKey: string, sortKey?: string) =>
      new dynamodb.Table(this, name, {
        partitionKey: { name: partitionKey, type: dynamodb.AttributeType.STRING },
        ...(sortKey ? { sortKey: { name: sortKey, type: dynamodb.AttributeType.STRING } } : {}),
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
        encryptionKey: this.key,
        removalPolicy,
      });

    this.runs = table('RunsTable', 'runId', 'sk');
    this.runs.addGlobalSecondaryIndex({
      indexName: 'byWorkflow',
      partitionKey: { name: 'workflowId', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'createdAt', type: dynamodb.AttributeType.STRING },
    });
    this.approvals = table('ApprovalsTable', 'approvalId');
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
    this.audit = table('AuditTable', 'subject', 'at');
    this.knowledge = table('KnowledgeTable', 'collection', 'docVersion');
    this.gateway = table('GatewayTable', 'pk', 'sk');
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
      autoDeleteObjects: false,
    });
  }
}
