/**
 * Exports for auditors, on AWS: on a schedule, DynamoDB exports the runs, approvals and audit
 * tables (a full point-in-time snapshot of each, DynamoDB JSON) to a private bucket; a Glue table
 * over each table's exports and an Athena workgroup with the auditors' named queries
 * (infra/audit-queries.ts) read them there.
 *
 * No function of ours runs: EventBridge Scheduler calls `dynamodb:exportTableToPointInTime` itself
 * (a universal target), one schedule per table, with a role that may do only that, on those three
 * tables, into the exports prefix.
 *
 * Finding an export: every export lands in a folder of its own,
 * `dynamodb/<table>/AWSDynamoDB/<exportId>/data/*.json.gz` (beside its manifests), and each is a
 * whole table. So each Glue table is partitioned by export id with partition projection of type
 * `injected`: a query names the export it reads (`WHERE export_id = ?`), Athena reads that folder's
 * data files and nothing else: no partitions to register, no crawler, never two snapshots of a
 * table counted together, and never a manifest read as data. The latest export of a table is the
 * newest COMPLETED one `aws dynamodb list-exports --table-arn …` lists (README, Exports for auditors).
 */
import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { AUDIT_QUERIES } from '../audit-queries.js';
import { EXPORT_ID_COLUMN, EXPORTED_TABLES, itemType, type ExportedTable } from '../export-schema.js';
import { acknowledge, nagArn } from './acknowledge.js';
import type { DataLayer } from './data-layer.js';

/** Under this prefix of the bucket, every table's exports (`dynamodb/<table>/…`). */
export const EXPORTS_PREFIX = 'dynamodb/';
/** Athena's query results: scratch, kept a month. */
export const RESULTS_PREFIX = 'athena-results/';

export interface AuditExportsProps {
  readonly stage: string;
  readonly data: DataLayer;
  /** When the tables are exported: an EventBridge Scheduler expression in UTC (stages.yaml `exports.schedule`). */
  readonly schedule: string;
}

export class AuditExports extends Construct {
  readonly bucket: s3.Bucket;
  readonly databaseName: string;
  readonly workGroupName: string;
  /** The role EventBridge Scheduler exports with. */
  readonly exporter: iam.Role;

  constructor(scope: Construct, id: string, props: AuditExportsProps) {
    super(scope, id);
    const { stage, data } = props;
    const retain = stage !== 'dev';
    this.databaseName = `handrail_${stage}_exports`;
    this.workGroupName = `handrail-${stage}-audit`;

    this.bucket = new s3.Bucket(this, 'Bucket', {
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: data.key,
      bucketKeyEnabled: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        { id: 'AthenaResults', prefix: RESULTS_PREFIX, expiration: Duration.days(30), noncurrentVersionExpiration: Duration.days(1) },
        // Exports upload in parts; a failed export leaves its parts behind.
        { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      autoDeleteObjects: !retain,
    });
    acknowledge(this.bucket, 'S1',
      "exports are written by DynamoDB on the stage's schedule and read through the audit workgroup (Athena keeps each query and who ran it); private, TLS-only, KMS; object-level access logs, if wanted, are CloudTrail S3 data events for the account rather than a second bucket per stage");

    this.exporter = new iam.Role(this, 'ExporterRole', {
      description: `Handrail ${stage}: EventBridge Scheduler exports the runs, approvals and audit tables to the exports bucket`,
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
    });
    const tables = { runs: data.runs, approvals: data.approvals, audit: data.audit };
    // What DynamoDB does in the bucket with the exporter's credentials (the export developer guide's list).
    this.exporter.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'WriteExports',
      actions: ['s3:PutObject', 's3:PutObjectAcl', 's3:AbortMultipartUpload'],
      resources: [this.bucket.arnForObjects(`${EXPORTS_PREFIX}*`)],
    }));
    acknowledge(this.exporter, `IAM5[Resource::${nagArn(this, this.bucket.bucketArn)}/${EXPORTS_PREFIX}*]`,
      'DynamoDB names each export folder with an export id it makes up (<table>/AWSDynamoDB/<exportId>/…): the exports prefix is the narrowest scope that covers the files of an export not yet made');

    const database = new glue.CfnDatabase(this, 'Database', {
      catalogId: Stack.of(this).account,
      databaseInput: { name: this.databaseName, description: `Handrail ${stage}: the runs, approvals and audit tables as exported to S3 for auditors` },
    });

    for (const [name, table] of Object.entries(tables) as [keyof typeof tables, (typeof tables)[keyof typeof tables]][]) {
      const exported: ExportedTable = EXPORTED_TABLES[name];
      const target = new targets.Universal({
        service: 'dynamodb',
        action: 'exportTableToPointInTime',
        role: this.exporter,
        // The data layer's grant (an empty list here would allow the action on every table).
        policyStatements: [data.grantExport(this.exporter, table)],
        input: scheduler.ScheduleTargetInput.fromObject({
          TableArn: table.tableArn,
          S3Bucket: this.bucket.bucketName,
          S3Prefix: exported.prefix,
          S3SseAlgorithm: 'KMS',
          S3SseKmsKeyId: data.key.keyArn,
          ExportFormat: 'DYNAMODB_JSON',
          ExportType: 'FULL_EXPORT',
          // Scheduler's retries of one scheduled time make one export, not one each.
          ClientToken: `${name}-${scheduler.ContextAttribute.scheduledTime}`,
        }),
        retryAttempts: 5,
        maxEventAge: Duration.hours(6),
      });
      new scheduler.Schedule(this, `Export-${name}`, {
        description: `Handrail ${stage}: export the ${name} table to s3://…/${exported.prefix}/ for auditors (Athena ${this.databaseName}.${exported.glueName})`,
        schedule: scheduler.ScheduleExpression.expression(props.schedule),
        target,
      });
      new glue.CfnTable(this, `Table-${name}`, {
        catalogId: Stack.of(this).account,
        databaseName: database.ref,
        tableInput: this.tableInput(exported),
      });
    }

    const workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: this.workGroupName,
      description: `Handrail ${stage}: auditors' queries on the exports (${this.databaseName})`,
      // It holds no data: deleting the stage may delete it with its query history.
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        // Every query here writes its results where this says, encrypted: a client cannot choose otherwise.
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: this.bucket.s3UrlForObject(RESULTS_PREFIX),
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: data.key.keyArn },
        },
      },
    });
    for (const query of AUDIT_QUERIES) {
      new athena.CfnNamedQuery(this, `Query-${query.name}`, {
        name: query.name,
        description: `${query.description}. Parameters: ${query.parameters.join('; ')}`,
        database: this.databaseName,
        workGroup: workGroup.ref,
        queryString: query.sql,
      }).node.addDependency(database);
    }

    // Stable output names, as the README and operators' scripts use them.
    const output = (name: string, value: string, description: string) => new CfnOutput(this, name, { value, description }).overrideLogicalId(name);
    output('ExportsBucketName', this.bucket.bucketName, `Where the tables are exported (${EXPORTS_PREFIX}<table>/AWSDynamoDB/<exportId>/data/) and Athena writes results (${RESULTS_PREFIX})`);
    output('ExportsDatabase', this.databaseName, 'Glue database of the exported tables (runs, approvals, audit_events)');
    output('AuditWorkGroup', workGroup.ref, "Athena workgroup with the auditors' named queries");
  }

  /** A table's exports as Glue sees them: one `item` column (export-schema.ts), partitioned by export id. */
  private tableInput(exported: ExportedTable): glue.CfnTable.TableInputProperty {
    const location = this.bucket.s3UrlForObject(`${exported.prefix}/AWSDynamoDB/`);
    return {
      name: exported.glueName,
      description: `Exports of the ${exported.glueName} DynamoDB table (DynamoDB JSON); name one in every query: WHERE ${EXPORT_ID_COLUMN} = '<exportId>'`,
      tableType: 'EXTERNAL_TABLE',
      partitionKeys: [{ name: EXPORT_ID_COLUMN, type: 'string', comment: 'the export id (aws dynamodb list-exports)' }],
      parameters: {
        classification: 'json',
        compressionType: 'gzip',
        'projection.enabled': 'true',
        [`projection.${EXPORT_ID_COLUMN}.type`]: 'injected',
        // Only the data files: the manifests beside them are not items.
        'storage.location.template': `${location}\${${EXPORT_ID_COLUMN}}/data/`,
      },
      storageDescriptor: {
        location,
        columns: [{ name: 'item', type: itemType(exported.item), comment: 'the item, as DynamoDB JSON: each attribute a struct of its type descriptor (S, N, M, L…)' }],
        inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
        outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
        serdeInfo: { serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
      },
    };
  }
}
