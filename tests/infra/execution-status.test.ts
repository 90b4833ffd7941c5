/** The rule that ends runs whose execution failed, timed out or was stopped outside its state machine. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, expect, it } from 'vitest';
import { buildApp } from '../../infra/app-factory.js';

let template: Template;
beforeAll(() => {
  template = Template.fromStack(buildApp({ stage: 'dev', bundling: false, outdir: mkdtempSync(join(tmpdir(), 'cdk-')) }).stack);
});

it('sends FAILED, TIMED_OUT and ABORTED status changes of the stage machines to the execution-status function', () => {
  const machines = Object.keys(template.findResources('AWS::StepFunctions::StateMachine'));
  template.hasResourceProperties('AWS::Events::Rule', {
    EventPattern: {
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: machines.map((id) => ({ Ref: id })) },
    },
    Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ExecutionStatusFunction'), 'Arn'] }, RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 8 }) })],
  });
});

it('lets the function read and end runs, close requests, append audit events, read the release a failed execution ran and tell its queue owners, nothing more', () => {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p.Properties.Roles).includes('ExecutionStatusFunction'));
  const actions = policies.flatMap((p) => (p.Properties.PolicyDocument.Statement as { Action: string | string[] }[]).flatMap((s) => [s.Action].flat()));
  const data = actions.filter((a) => !a.startsWith('kms:') && !a.startsWith('xray:') && !a.startsWith('logs:'));
  // Appending an audit event: a create-only PutItem, and a Query of the stream's head when another writer took its place.
  // Runs, approvals (the last decision, by key with runs: records/consistent-reads.ts) and releases
  // are read; the notifier reads the channel secret and may send email.
  expect(data.sort()).toEqual(
    [
      'dynamodb:BatchGetItem', 'dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'dynamodb:UpdateItem',
      'secretsmanager:GetSecretValue', 'ses:SendEmail', 'states:DescribeExecution', 'states:DescribeStateMachine',
    ].sort(),
  );
});
