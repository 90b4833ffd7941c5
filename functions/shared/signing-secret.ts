/**
 * The stage's HMAC key, used for reviewer links and delivery signatures. Locally it is inline in
 * the environment; on AWS it is read once per cold start from Secrets Manager.
 */
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { secretsClient } from './aws-clients.js';
import { ENV } from './env-names.js';
import { ConfigurationError } from './errors.js';

let cached: Promise<string> | undefined;

export function signingSecret(): Promise<string> {
  cached ??= load().catch((err) => {
    cached = undefined;
    throw err;
  });
  return cached;
}

async function load(): Promise<string> {
  const inline = process.env[ENV.signingSecret];
  if (inline) return inline;
  const arn = process.env[ENV.signingSecretArn];
  if (!arn) throw new ConfigurationError(`Set ${ENV.signingSecret} or ${ENV.signingSecretArn}`);
  const out = await secretsClient().send(new GetSecretValueCommand({ SecretId: arn }));
  if (!out.SecretString) throw new ConfigurationError(`Secret ${arn} has no string value`);
  return out.SecretString;
}

/** For tests that switch secrets. */
export function resetSigningSecret(): void {
  cached = undefined;
}
