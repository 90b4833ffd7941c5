/**
 * The AWS Solutions (cdk-nag) findings Handrail accepts, acknowledged where the resource is made and
 * each with why; tests/infra/cdk-nag.test.ts runs AwsSolutionsChecks over every stage and allows no
 * other finding. CDK's own `Validations` records them, so infra needs no cdk-nag at run time.
 *
 * @example acknowledge(bucket, 'S1', 'access is recorded by the audit trail')
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** `rule` is the AwsSolutions rule with its finding, e.g. `IAM5[Resource::*]`. */
export function acknowledge(scope: IConstruct, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions-${rule}`, reason });
}

/** A resource's ARN as cdk-nag names it in a finding: `<LogicalId.Arn>`. */
export function nagArn(scope: IConstruct, arn: string): string {
  const getAtt = (Stack.of(scope).resolve(arn) as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  if (!getAtt) throw new Error(`nagArn: expected an ARN attribute (Fn::GetAtt), received ${JSON.stringify(Stack.of(scope).resolve(arn))}`);
  return `<${getAtt[0]}.${getAtt[1]}>`;
}
