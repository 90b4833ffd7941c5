/**
 * Each workflow's webhook secret (`whsec_…`, Standard Webhooks): on AWS a Secrets Manager secret per
 * workflow, named `<HANDRAIL_WEBHOOK_SECRET_PREFIX><workflowId>`; locally a file per workflow in the
 * data dir (HANDRAIL_WEBHOOK_SECRETS_DIR). Read once per process and kept five minutes, so a
 * rotated secret takes effect within that. A workflow whose trigger takes Zendesk's signature has a
 * second one beside it, `<workflowId>.zendesk`: the signing secret Zendesk shows for its webhook;
 * one that takes HubSpot's, `<workflowId>.hubspot`: the HubSpot app's client secret.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { secretsClient } from '../shared/aws-clients.js';
import { ENV } from '../shared/env-names.js';
import { ConfigurationError } from '../shared/errors.js';
import type { VendorTriggerAuth } from '../../state-machines/schema.js';

const KEEP_MS = 5 * 60_000;
const cache = new Map<string, { value: Promise<string>; until: number }>();

async function load(workflowId: string): Promise<string> {
  const dir = process.env[ENV.webhookSecretsDir];
  if (dir) {
    try {
      return readFileSync(join(dir, workflowId), 'utf8').trim();
    } catch {
      throw new ConfigurationError(`No webhook secret for workflow ${workflowId} in ${dir}`);
    }
  }
  const prefix = process.env[ENV.webhookSecretPrefix];
  if (!prefix) throw new ConfigurationError(`Set ${ENV.webhookSecretPrefix} (the stage's webhook secrets) to verify signed webhooks`);
  const out = await secretsClient().send(new GetSecretValueCommand({ SecretId: `${prefix}${workflowId}` }));
  if (!out.SecretString) throw new ConfigurationError(`The webhook secret of workflow ${workflowId} is empty`);
  return out.SecretString.trim();
}

/** The name of `workflowId`'s signing secret for a vendor's webhooks (`<workflowId>.zendesk`, `<workflowId>.hubspot`), beside its Standard Webhooks secret, in the folder and in Secrets Manager. */
export const vendorSecretName = (workflowId: string, vendor: VendorTriggerAuth) => `${workflowId}.${vendor}`;

/** The name of `workflowId`'s Zendesk signing secret. */
export const zendeskSecretName = (workflowId: string) => vendorSecretName(workflowId, 'zendesk');

export function webhookSecret(workflowId: string, now = Date.now()): Promise<string> {
  const kept = cache.get(workflowId);
  if (kept && kept.until > now) return kept.value;
  const value = load(workflowId);
  cache.set(workflowId, { value, until: now + KEEP_MS });
  value.catch(() => cache.delete(workflowId));
  return value;
}

/** For tests that switch secrets. */
export function resetWebhookSecrets(): void {
  cache.clear();
}
