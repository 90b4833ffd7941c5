/**
 * A connector's API token, where the stage keeps it: a file in the data dir locally (its env var
 * names the file; read at each call, so a token written while the runtime runs is used), or a
 * Secrets Manager secret on AWS holding `{"<key>": "…"}` (its env var names the ARN; only the
 * deliver function may read it). The token never leaves the caller but in an Authorization header.
 */
import { readFileSync } from 'node:fs';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { secretsClient } from '../shared/aws-clients.js';
import { ConfigurationError } from '../shared/errors.js';

export interface VendorTokenSource {
  /** As people write it: Zendesk, HubSpot. */
  readonly label: string;
  /** The env var naming the local file. */
  readonly fileEnv: string;
  /** The env var naming the secret's ARN. */
  readonly arnEnv: string;
  /** The secret's JSON key: apiToken, accessToken. */
  readonly key: string;
  /** Where the vendor issues it, for the message when it is missing. */
  readonly issuedAt: string;
}

/** @throws ConfigurationError naming where to put it */
export async function vendorToken(source: VendorTokenSource): Promise<string> {
  const file = process.env[source.fileEnv];
  if (file) {
    let token = '';
    try {
      token = readFileSync(file, 'utf8').trim();
    } catch {
      // Left empty: the message below says where to put it.
    }
    if (!token) throw new ConfigurationError(`No ${source.label} token: put it in ${file} (${source.issuedAt})`);
    return token;
  }
  const arn = process.env[source.arnEnv];
  if (!arn) throw new ConfigurationError(`Set ${source.arnEnv} (the stage's ${source.label} secret) or ${source.fileEnv}`);
  const out = await secretsClient().send(new GetSecretValueCommand({ SecretId: arn }));
  let parsed: unknown;
  try {
    parsed = JSON.parse(out.SecretString ?? '');
  } catch {
    parsed = undefined;
  }
  const token = (parsed as Record<string, unknown> | undefined)?.[source.key];
  if (typeof token !== 'string' || !token) throw new ConfigurationError(`The ${source.label} secret ${arn} has no ${source.key}: put {"${source.key}": "…"} there (README, ${source.label})`);
  return token;
}
