/**
 * The stage's HubSpot credentials: the API's base URL from the function's environment (stages.yaml
 * `hubspot.url`, https://api.hubapi.com for HubSpot itself), the private app's access token from
 * Secrets Manager on AWS (the secret the stack makes, `{"accessToken": "…"}`) or from a file in the
 * data dir locally (`<data dir>/hubspot-access-token`), read once (a failed read is tried again).
 */
import { ENV } from '../../shared/env-names.js';
import { ConfigurationError } from '../../shared/errors.js';
import { vendorToken } from '../vendor-token.js';

export interface HubspotCredentials {
  /** e.g. https://api.hubapi.com (no trailing slash) */
  readonly url: string;
  readonly accessToken: string;
}

/** Whether the stage acts on HubSpot at all (stages.yaml declares `hubspot`). */
export function hubspotConfigured(): boolean {
  return Boolean(process.env[ENV.hubspotUrl]);
}

let cached: Promise<HubspotCredentials> | undefined;

/** @throws ConfigurationError */
export function hubspotCredentials(): Promise<HubspotCredentials> {
  return (cached ??= (async () => {
    const url = process.env[ENV.hubspotUrl]?.replace(/\/+$/, '');
    if (!url) throw new ConfigurationError(`Set ${ENV.hubspotUrl} (stages.yaml hubspot.url)`);
    const accessToken = await vendorToken({
      label: 'HubSpot',
      fileEnv: ENV.hubspotAccessTokenFile,
      arnEnv: ENV.hubspotSecretArn,
      key: 'accessToken',
      issuedAt: "HubSpot → Settings → Integrations → Private apps → the app's access token",
    });
    return { url, accessToken };
  })().catch((err) => {
    cached = undefined;
    throw err;
  }));
}

/** For tests and a runtime started after another in one process. */
export function resetHubspotCredentials(): void {
  cached = undefined;
}
