/**
 * The local stage's secrets, made once per data folder: the signing secret (`<dataDir>/signing-secret`),
 * the delivery key (`<dataDir>/delivery-secret`) and each workflow's webhook secret
 * (`<dataDir>/webhook-secrets/<workflowId>`), the last two Standard Webhooks keys (`whsec_…`).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { vendorSecretName } from '../functions/triggers/webhook-secrets.js';
import type { VendorTriggerAuth } from '../state-machines/schema.js';

/** The secret in `file`, made by `make` (owner-only) when the file is missing. */
function secretFile(file: string, make: () => string): string {
  if (!existsSync(file)) writeFileSync(file, make(), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

const standardWebhooksKey = () => `whsec_${randomBytes(32).toString('base64')}`;

export function signingSecretIn(dataDir: string): string {
  return secretFile(join(dataDir, 'signing-secret'), () => randomBytes(32).toString('base64url'));
}

/** The local stage's delivery key: what deliveries are signed with. */
export function deliverySecretIn(dataDir: string): string {
  return secretFile(join(dataDir, 'delivery-secret'), standardWebhooksKey);
}

/**
 * The folder of webhook secrets, with one for each of `workflowIds` and a vendor's signing secret
 * (`<workflowId>.zendesk`, `<workflowId>.hubspot`) for each workflow of `vendorSecrets` (made when
 * missing; replace it with the secret the vendor shows: Zendesk's webhook secret, the HubSpot app's
 * client secret).
 */
export function webhookSecretsIn(dataDir: string, workflowIds: readonly string[], vendorSecrets: readonly { workflowId: string; vendor: VendorTriggerAuth }[] = []): string {
  const dir = join(dataDir, 'webhook-secrets');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const id of workflowIds) secretFile(join(dir, id), standardWebhooksKey);
  for (const { workflowId, vendor } of vendorSecrets) secretFile(join(dir, vendorSecretName(workflowId, vendor)), () => randomBytes(32).toString('base64'));
  return dir;
}

/** One workflow's webhook secret from a data folder (what `npx handrail webhooks secret` prints). */
export function webhookSecretIn(dataDir: string, workflowId: string): string {
  return readFileSync(join(dataDir, 'webhook-secrets', workflowId), 'utf8').trim();
}
