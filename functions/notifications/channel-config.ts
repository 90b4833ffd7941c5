/**
 * Credentials and settings of the approval channels. Locally (and in tests) they come inline from
 * the environment; on AWS from one Secrets Manager secret (JSON), read once per cold start, so a
 * token never sits in a Lambda's environment. A channel without its credentials is skipped.
 */
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import { secretsClient } from '../shared/aws-clients.js';
import { ENV } from '../shared/env-names.js';
import { optionalEnv } from '../shared/env.js';
import { ConfigurationError } from '../shared/errors.js';

/** The JSON an operator stores in the channel secret; empty strings mean "not configured". */
export const channelSecretsSchema = z
  .object({
    slackBotToken: z.string().optional(),
    slackSigningSecret: z.string().optional(),
    teamsWebhookUrl: z.union([z.string().url(), z.literal('')]).optional(),
  })
  .passthrough();

export interface ChannelSecrets {
  readonly slackBotToken?: string;
  readonly slackSigningSecret?: string;
  readonly teamsWebhookUrl?: string;
}

let stored: Promise<ChannelSecrets> | undefined;

async function fromSecretsManager(): Promise<ChannelSecrets> {
  const arn = optionalEnv(ENV.channelSecretsArn);
  if (!arn) return {};
  const out = await secretsClient().send(new GetSecretValueCommand({ SecretId: arn }));
  let raw: unknown;
  try {
    raw = JSON.parse(out.SecretString ?? '{}');
  } catch {
    throw new ConfigurationError(`Secret ${arn} must hold JSON {slackBotToken, slackSigningSecret, teamsWebhookUrl}`);
  }
  const parsed = channelSecretsSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigurationError(`Secret ${arn}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** Inline environment values win, field by field, over the secret's. */
export async function channelSecrets(): Promise<ChannelSecrets> {
  stored ??= fromSecretsManager().catch((err) => {
    stored = undefined; // a transient Secrets Manager failure must not stick for the container's life
    throw err;
  });
  const secret = await stored;
  const pick = (name: string, fallback: string | undefined) => optionalEnv(name) ?? (fallback || undefined);
  return {
    slackBotToken: pick(ENV.slackBotToken, secret.slackBotToken),
    slackSigningSecret: pick(ENV.slackSigningSecret, secret.slackSigningSecret),
    teamsWebhookUrl: pick(ENV.teamsWebhookUrl, secret.teamsWebhookUrl),
  };
}

export type EmailTransport = 'ses' | 'outbox';

export interface EmailSettings {
  readonly transport: EmailTransport;
  readonly from: string;
  readonly outboxDir?: string;
}

/** Email settings, or why email is off. */
export function emailSettings(): EmailSettings | { off: string } {
  const transport = optionalEnv(ENV.emailTransport);
  if (!transport) return { off: `${ENV.emailTransport} is not set` };
  if (transport !== 'ses' && transport !== 'outbox') return { off: `${ENV.emailTransport} must be ses or outbox (is "${transport}")` };
  const from = optionalEnv(ENV.emailFrom);
  if (!from) return { off: `${ENV.emailFrom} is not set` };
  const outboxDir = optionalEnv(ENV.outboxDir);
  if (transport === 'outbox' && !outboxDir) return { off: `${ENV.outboxDir} is not set` };
  return { transport, from, ...(outboxDir ? { outboxDir } : {}) };
}

/** For tests that switch secrets. */
export function resetChannelSecrets(): void {
  stored = undefined;
}
