import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/**
 * `secretsmanager:GetSecretValue` on one secret: what the code calls (functions/shared/signing-secret.ts,
 * functions/notifications/channel-config.ts), without the DescribeSecret that `grantRead` adds.
 * The secrets use the account's Secrets Manager key, so no KMS grant is needed.
 */
export function grantSecretValue(secret: secretsmanager.ISecret, grantee: iam.IGrantable): void {
  grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }));
}
