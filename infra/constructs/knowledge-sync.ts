/**
 * Scheduled knowledge sync (stages.yaml `knowledgeSync`): one function, and one EventBridge rule per
 * collection on its `every`, whose input names the collection (functions/scheduled/knowledge-sync).
 * The function may list and read only the declared S3 prefixes, and write only the synced
 * collections' partitions of the knowledge table and their prefixes of the knowledge bucket, plus
 * the audit trail.
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { parseS3Source, s3SourceId } from '../../functions/knowledge/s3-source.js';
import { ENV } from '../../functions/shared/env-names.js';
import { durationSeconds } from '../../state-machines/schema.js';
import type { StageConfig } from '../stage-config.js';
import { acknowledge } from './acknowledge.js';
import type { DataLayer } from './data-layer.js';
import { HandrailFunction } from './handrail-function.js';

export interface KnowledgeSyncProps {
  readonly data: DataLayer;
  /** The stage's collections that follow an S3 prefix (non-empty). */
  readonly sources: StageConfig['knowledgeSync'];
  /** Tables and buckets, as every function gets them. */
  readonly environment: Record<string, string>;
  readonly logRetention: logs.RetentionDays;
}

export class KnowledgeSync extends Construct {
  readonly function: HandrailFunction;

  constructor(scope: Construct, id: string, props: KnowledgeSyncProps) {
    super(scope, id);
    const { data, sources } = props;
    const collections = Object.keys(sources);
    // As the sync names them (s3://bucket/prefix/): what versions record and what removals compare.
    const froms = Object.fromEntries(Object.entries(sources).map(([c, s]) => [c, s3SourceId(parseS3Source(s.from)!)]));
    this.function = new HandrailFunction(this, 'Function', {
      entry: 'functions/scheduled/knowledge-sync/handler.ts',
      kind: 'knowledge-sync',
      logRetention: props.logRetention,
      // Reads every file of a prefix and its PDFs' text: minutes, not seconds, for a large folder.
      timeout: Duration.minutes(15),
      memorySize: 1024,
      environment: { ...props.environment, [ENV.knowledgeSources]: JSON.stringify(froms) },
    });

    // The sources: list each declared prefix, read its objects.
    for (const [collection, { from }] of Object.entries(sources)) {
      const { bucket, prefix } = parseS3Source(from)!;
      this.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [`arn:aws:s3:::${bucket}`], conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } } }));
      this.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [`arn:aws:s3:::${bucket}/${prefix}*`] }));
      acknowledge(this.function, `IAM5[Resource::arn:aws:s3:::${bucket}/${prefix}*]`, `the files of the S3 prefix the collection ${collection} follows (stages.yaml knowledgeSync), whatever their names`);
    }
    // The collections: their latest versions, new versions and removals, and the audit trail.
    data.grantCollectionsWrite(this.function, collections);
    data.grantAuditAppend(this.function);

    for (const [collection, { every }] of Object.entries(sources)) {
      new events.Rule(this, `Schedule-${collection}`, {
        description: `Sync the knowledge collection ${collection} from ${sources[collection]!.from} every ${every}`,
        schedule: events.Schedule.rate(Duration.minutes(durationSeconds(every) / 60)),
        targets: [new targets.LambdaFunction(this.function, { event: events.RuleTargetInput.fromObject({ collection }), retryAttempts: 2 })],
      });
    }
  }
}
