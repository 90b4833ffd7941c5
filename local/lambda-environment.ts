/**
 * The whole environment of a bundled function's process (bundle-host.ts), and nothing more: its
 * template environment (intrinsics resolved to local names by template-reader.ts), what the Lambda
 * platform itself sets (the documented runtime variables: `_HANDLER`, `AWS_REGION`, credentials,
 * `AWS_LAMBDA_FUNCTION_NAME`, `LAMBDA_TASK_ROOT`, `TZ`…), and the SDK's `AWS_ENDPOINT_URL_*`
 * overrides that point it at the local services. Nothing is inherited from the host's process.
 *
 * The task root is the asset directory instead of `/var/task`, so template values under `/var/task`
 * (files copied into the bundle, e.g. the reviewer directory) name the same files under it.
 */
import { randomBytes } from 'node:crypto';
import { ENV } from '../functions/shared/env-names.js';
import { dirname } from 'node:path';
import { LOCAL_REGION, type LocalFunction } from './template-reader.js';

const LAMBDA_TASK_ROOT = '/var/task';

/**
 * Where the SDK's calls go: each emulated service's endpoint, and every other AWS service to a
 * closed local port (`AWS_ENDPOINT_URL`), so a bundle never reaches AWS from a test.
 */
export interface LocalServiceEndpoints {
  readonly dynamodb: string;
  readonly s3: string;
  readonly sfn: string;
  readonly secretsManager: string;
  /**
   * The keys of the embedded identity provider, standing in for the stage's Cognito user pool: a
   * function that verifies ID tokens (its template names HANDRAIL_AUTH_ISSUER) fetches them here.
   */
  readonly identityKeys?: string;
}

/** Nothing listens on port 1: a call to a service with no local stand-in fails at once (ECONNREFUSED). */
export const UNREACHABLE_ENDPOINT = 'http://127.0.0.1:1';

/** The credentials the emulators accept (s3rver's defaults), in place of the execution role's. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', sessionToken: 'local-session' } as const;

export function endpointEnvironment(endpoints: LocalServiceEndpoints): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: UNREACHABLE_ENDPOINT,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_SFN: endpoints.sfn,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsManager,
  };
}

/** The runtime variables Lambda sets for `fn` (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html). */
export function lambdaPlatformEnvironment(fn: LocalFunction, taskRoot: string, nodeBinary = process.execPath): Record<string, string> {
  return {
    _HANDLER: fn.handler,
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.logicalId}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${randomBytes(16).toString('hex')}`,
    ...(fn.logFormat ? { AWS_LAMBDA_LOG_FORMAT: fn.logFormat } : {}),
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: LOCAL_CREDENTIALS.sessionToken,
    LAMBDA_TASK_ROOT: taskRoot,
    LAMBDA_RUNTIME_DIR: dirname(nodeBinary),
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    PATH: `${dirname(nodeBinary)}:/usr/local/bin:/usr/bin:/bin`,
  };
}

/** The template's variables, with paths under Lambda's task root moved to the local one. */
export function templateEnvironment(fn: LocalFunction, taskRoot: string): Record<string, string> {
  if (fn.unresolved.length) {
    throw new Error(`${fn.logicalId}: ${fn.unresolved.join(', ')} have no local value; the bundle host cannot give the function its template environment`);
  }
  return Object.fromEntries(
    Object.entries(fn.environment).map(([name, value]) => [
      name,
      value === LAMBDA_TASK_ROOT || value.startsWith(`${LAMBDA_TASK_ROOT}/`) ? `${taskRoot}${value.slice(LAMBDA_TASK_ROOT.length)}` : value,
    ]),
  );
}

/** Everything the function's process sees. A template variable may not shadow the platform's (Lambda reserves them). */
export function bundleEnvironment(fn: LocalFunction, taskRoot: string, endpoints: LocalServiceEndpoints, nodeBinary?: string): Record<string, string> {
  const platform = { ...lambdaPlatformEnvironment(fn, taskRoot, nodeBinary), ...endpointEnvironment(endpoints) };
  const own = templateEnvironment(fn, taskRoot);
  const reserved = Object.keys(own).filter((name) => name in platform);
  if (reserved.length) throw new Error(`${fn.logicalId}: the template sets ${reserved.join(', ')}, which the local platform provides itself (Lambda reserves its runtime variables)`);
  const identity: Record<string, string> = own[ENV.authIssuer] && endpoints.identityKeys ? { [ENV.authJwksUrl]: endpoints.identityKeys } : {};
  return { ...own, ...platform, ...identity };
}
