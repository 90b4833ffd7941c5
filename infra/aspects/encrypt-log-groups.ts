/**
 * Every log group a stack creates is encrypted with the stage's KMS key: the state machines'
 * execution logs (which hold execution data: tickets, drafts, decisions), the functions' logs and
 * the API's access logs. An aspect, so a log group added later, by any construct, is covered too.
 * A log group that names its own key keeps it.
 */
import type { IAspect } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';

export class EncryptLogGroups implements IAspect {
  /** @param key its key policy must let `logs.<region>.amazonaws.com` use it (infra/constructs/data-layer.ts). */
  constructor(private readonly key: kms.IKey) {}

  visit(node: IConstruct): void {
    if (node instanceof logs.CfnLogGroup && node.kmsKeyId === undefined) node.kmsKeyId = this.key.keyArn;
  }
}
