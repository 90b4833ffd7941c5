/**
 * The stage's Zendesk credentials: the account URL and the agent's email from the function's
 * environment (stages.yaml `zendesk`), the API token from Secrets Manager on AWS (the secret the
 * stack makes, `{"apiToken": "…"}`, read once per cold start) or from a file in the data dir
 * locally (`<data dir>/zendesk-api-token`). The token never leaves this module but in the client's
 * Authorization header.
 */
import { readFileSync } from 'node:fs';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { secretsClient } from '../../shared/aws-clients.js';
import { ENV } from '../../shared/env-names.js';
import { ConfigurationError } from '../../shared/errors.js';

export interface ZendeskCredentials {
  /** e.g. https://acme.zendesk.com (no trailing slash) */
  readonly url: string;
  readonly email: string;
  readonly apiToken: string;
}

/** Whether the stage acts on Zendesk at all (stages.yaml declares `zendesk`). */
export function zendeskConfigured(): boolean {
  return Boolean(process.env[ENV.zendeskUrl]);
}

async function apiToken(): Promise<string> {
  const file = process.env[ENV.zendeskApiTokenFile];
  if (file) {
    let token = '';
    try {
      token = readFileSync(file, 'utf8').trim();
    } catch {
      // Left empty: the message below says where to put it.
    }
    if (!token) throw new ConfigurationError(`No Zendesk API token: put it in ${file} (Zendesk Admin Center → Apps and integrations → Zendesk API)`);
    return token;
  }
  const arn = process.env[ENV.zendeskSecretArn];
  if (!arn) throw new ConfigurationError(`Set ${ENV.zendeskSecretArn} (the stage's Zendesk secret) or ${ENV.zendeskApiTokenFile}`);
  const out = await secretsClient().send(new GetSecretValueCommand({ SecretId: arn }));
  let parsed: unknown;
  try {
    parsed = JSON.parse(out.SecretString ?? '');
  } catch {
    parsed = undefined;
  }
  const token = (parsed as { apiToken?: unknown } | undefined)?.apiToken;
  if (typeof token !== 'string' || !token) throw new ConfigurationError(`The Zendesk secret ${arn} has no apiToken: put {"apiToken": "…"} there (README, Zendesk)`);
  return token;
}

let cached: Promise<ZendeskCredentials> | undefined;

/** The credentials, read once (a failed read is tried again on the next call). @throws ConfigurationError */
export function zendeskCredentials(): Promise<ZendeskCredentials> {
  return (cached ??= (async () => {
    const url = process.env[ENV.zendeskUrl]?.replace(/\/+$/, '');
    const email = process.env[ENV.zendeskEmail];
    if (!url || !email) throw new ConfigurationError(`Set ${ENV.zendeskUrl} and ${ENV.zendeskEmail} (stages.yaml zendesk.url and zendesk.email)`);
    return { url, email, apiToken: await apiToken() };
  })().catch((err) => {
    cached = undefined;
    throw err;
  }));
}

/** For tests and a runtime started after another in one process. */
export function resetZendeskCredentials(): void {
  cached = undefined;
}
