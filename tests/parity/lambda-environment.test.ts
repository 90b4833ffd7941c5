/** A bundled function's whole environment (local/lambda-environment.ts). */
import { describe, expect, it } from 'vitest';
import { bundleEnvironment, UNREACHABLE_ENDPOINT } from '../../local/lambda-environment.js';
import type { LocalFunction } from '../../local/template-reader.js';

const fn = (environment: Record<string, string>, unresolved: string[] = []): LocalFunction => ({
  logicalId: 'ApiFunction',
  arn: 'arn:aws:lambda:us-east-1:000000000000:function:ApiFunction',
  entry: 'functions/api/handler.ts',
  kind: 'api',
  timeoutSeconds: 29,
  memorySize: 512,
  environment,
  unresolved,
  handler: 'index.handler',
  runtime: 'nodejs22.x',
  logFormat: 'JSON',
});
const endpoints = { dynamodb: 'http://127.0.0.1:1001', s3: 'http://127.0.0.1:1002', sfn: 'http://127.0.0.1:1003', secretsManager: 'http://127.0.0.1:1004' };

describe('bundleEnvironment', () => {
  it("is the template's variables, Lambda's runtime variables and the endpoints", () => {
    const env = bundleEnvironment(fn({ HANDRAIL_RUNS_TABLE: 'DataRunsTable', HANDRAIL_DIRECTORY_FILE: '/var/task/reviewers.yaml' }), '/tmp/asset.abc', endpoints);
    expect(env).toMatchObject({
      HANDRAIL_RUNS_TABLE: 'DataRunsTable',
      // The task root is the asset directory, and the template's paths under it follow
      HANDRAIL_DIRECTORY_FILE: '/tmp/asset.abc/reviewers.yaml',
      LAMBDA_TASK_ROOT: '/tmp/asset.abc',
      _HANDLER: 'index.handler',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_FUNCTION_NAME: 'ApiFunction',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      AWS_LAMBDA_LOG_FORMAT: 'JSON',
      AWS_REGION: 'us-east-1',
      TZ: ':UTC',
      AWS_ENDPOINT_URL: UNREACHABLE_ENDPOINT,
      AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsManager,
    });
    expect(Object.keys(env).filter((k) => !/^(AWS_|LAMBDA_|_HANDLER$|TZ$|LANG$|PATH$)/.test(k))).toEqual(['HANDRAIL_RUNS_TABLE', 'HANDRAIL_DIRECTORY_FILE']);
  });

  it('refuses a variable with no local value, and one that would shadow the platform', () => {
    expect(() => bundleEnvironment(fn({}, ['HANDRAIL_SOMETHING_ARN']), '/tmp/a', endpoints)).toThrow(/HANDRAIL_SOMETHING_ARN have no local value/);
    expect(() => bundleEnvironment(fn({ AWS_REGION: 'eu-west-1' }), '/tmp/a', endpoints)).toThrow(/sets AWS_REGION/);
  });
});
