/**
 * One instance of each AWS SDK client per process (created on first use, reused while warm).
 * Endpoints come from the SDK's own AWS_ENDPOINT_URL_<SERVICE> variables, so the same code
 * talks to AWS or to the local emulators; handlers never know which (the local runtime may also
 * hand DynamoDB's and Step Functions' requests to its emulators without a socket: aws-request-handlers.ts). Each is traced (tracer.ts):
 * its calls are X-Ray subsegments on AWS, and it is the plain client where the tracer is off.
 */
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { requestHandlerOption } from './aws-request-handlers.js';
import { ENV } from './env-names.js';
import { traced } from './tracer.js';

let ddb: DynamoDBDocumentClient | undefined;
let s3: S3Client | undefined;
let sfn: SFNClient | undefined;
let bedrock: BedrockRuntimeClient | undefined;
let secrets: SecretsManagerClient | undefined;

export function documentClient(): DynamoDBDocumentClient {
  ddb ??= DynamoDBDocumentClient.from(traced(new DynamoDBClient({ ...requestHandlerOption('dynamodb') })), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return ddb;
}

export function s3Client(): S3Client {
  s3 ??= traced(new S3Client({ forcePathStyle: process.env[ENV.s3ForcePathStyle] === 'true' }));
  return s3;
}

export function sfnClient(): SFNClient {
  sfn ??= traced(new SFNClient({ ...requestHandlerOption('sfn') }));
  return sfn;
}

/** Bedrock calls are retried by the model gateway, not by the SDK, so each attempt is recorded. */
export function bedrockClient(): BedrockRuntimeClient {
  // The stage may call Bedrock in another region than its own (where model access is enabled).
  bedrock ??= traced(new BedrockRuntimeClient({ maxAttempts: 1, ...(process.env[ENV.bedrockRegion] ? { region: process.env[ENV.bedrockRegion] } : {}) }));
  return bedrock;
}

export function secretsClient(): SecretsManagerClient {
  secrets ??= traced(new SecretsManagerClient({}));
  return secrets;
}

/** Drops cached clients (tests that change endpoints between runtimes). */
export function resetClients(): void {
  ddb = s3 = sfn = bedrock = secrets = undefined;
}
