/**
 * The stage's Zendesk credentials: the account URL and the agent's email from the function's
 * environment (stages.yaml `zendesk`), the API token from Secrets Manager on AWS (the secret the
 * stack makes, `{"apiToken": "…"}`, read once per cold start) or from a file in the data dir
 * locally (`<data dir>/zendesk-api-token`). The token never leaves this module but in the client's
 * Authorization header.
 */
import { vendorToken } from '../vendor-token.js';
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

const apiToken = () =>
  vendorToken({ label: 'Zendesk', fileEnv: ENV.zendeskApiTokenFile, arnEnv: ENV.zendeskSecretArn, key: 'apiToken', issuedAt: 'Zendesk Admin Center → Apps and integrations → Zendesk API' });

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
