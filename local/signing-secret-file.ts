/**
 * The local stage's secrets, made once per data folder: the signing secret (`<dataDir>/signing-secret`)
 * and each workflow's webhook secret (`<dataDir>/webhook-secrets/<workflowId>`, Standard Webhooks `whsec_…`).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function signingSecretIn(dataDir: string): string {
  const file = join(dataDir, 'signing-secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

/** The local stage's delivery key (Standard Webhooks `whsec_…`), made once: `<dataDir>/delivery-secret`. */
export function deliverySecretIn(dataDir: string): string {
  const file = join(dataDir, 'delivery-secret');
  if (!existsSync(file)) writeFileSync(file, `whsec_${randomBytes(32).toString('base64')}`, { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

/** The folder of webhook secrets, with one for each of `workflowIds` (made when missing). */
export function webhookSecretsIn(dataDir: string, workflowIds: readonly string[]): string {
  const dir = join(dataDir, 'webhook-secrets');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const id of workflowIds) {
    const file = join(dir, id);
    if (!existsSync(file)) writeFileSync(file, `whsec_${randomBytes(32).toString('base64')}`, { mode: 0o600 });
  }
  return dir;
}

/** One workflow's webhook secret from a data folder (what `npx handrail webhooks secret` prints). */
export function webhookSecretIn(dataDir: string, workflowId: string): string {
  return readFileSync(join(dataDir, 'webhook-secrets', workflowId), 'utf8').trim();
}
