/**
 * A stage secret a function reads: inline from its environment (the local runtime's stand-in) or,
 * on AWS, once per cold start from the Secrets Manager secret its environment names by ARN.
 *
 * @example const deliveryKey = stageSecret(ENV.deliverySecret, ENV.deliverySecretArn); await deliveryKey();
 */
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { secretsClient } from './aws-clients.js';
import { ConfigurationError } from './errors.js';

export interface StageSecret {
  (): Promise<string>;
  /** For tests that switch secrets. */
  reset(): void;
}

const everySecret = new Set<StageSecret>();

/** Forgets every stage secret read so far (a process that runs another local runtime next: tests). */
export function resetStageSecrets(): void {
  for (const secret of everySecret) secret.reset();
}

export function stageSecret(inlineEnv: string, arnEnv: string): StageSecret {
  let cached: Promise<string> | undefined;
  const load = async (): Promise<string> => {
    const inline = process.env[inlineEnv];
    if (inline) return inline;
    const arn = process.env[arnEnv];
    if (!arn) throw new ConfigurationError(`Set ${inlineEnv} or ${arnEnv}`);
    const out = await secretsClient().send(new GetSecretValueCommand({ SecretId: arn }));
    if (!out.SecretString) throw new ConfigurationError(`Secret ${arn} has no string value`);
    return out.SecretString;
  };
  const read = () =>
    (cached ??= load().catch((err) => {
      cached = undefined;
      throw err;
    }));
  const secret = Object.assign(read, { reset: () => (cached = undefined) });
  everySecret.add(secret);
  return secret;
}
