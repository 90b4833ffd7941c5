/**
 * The stage's HMAC key for reviewer links, personal reviewer tokens and listing cursors. Locally it
 * is inline in the environment; on AWS it is read once per cold start from Secrets Manager.
 */
import { ENV } from './env-names.js';
import { stageSecret, type StageSecret } from './stage-secret.js';

let secret: StageSecret | undefined;

export function signingSecret(): Promise<string> {
  secret ??= stageSecret(ENV.signingSecret, ENV.signingSecretArn);
  return secret();
}

/** For tests that switch secrets. */
export function resetSigningSecret(): void {
  secret = undefined;
}
