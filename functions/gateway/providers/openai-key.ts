/**
 * The OpenAI key: inline in the environment locally (OPENAI_API_KEY), on AWS from the stage's
 * OpenAiSecret (JSON `{apiKey}`), read once per cold start so it never sits in a Lambda's
 * environment. An empty secret means "not configured".
 */
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { secretsClient } from '../../shared/aws-clients.js';
import { ENV } from '../../shared/env-names.js';
import { optionalEnv } from '../../shared/env.js';
import { ProviderError } from '../types.js';

let stored: Promise<string | undefined> | undefined;

/** Whether this function may call OpenAI at all (a key inline or a secret to read it from). */
export function openaiConfigured(): boolean {
  return Boolean(optionalEnv(ENV.openAiApiKey) || optionalEnv(ENV.openAiSecretArn));
}

async function fromSecret(arn: string): Promise<string | undefined> {
  const out = await secretsClient().send(new GetSecretValueCommand({ SecretId: arn }));
  try {
    const key = (JSON.parse(out.SecretString ?? '{}') as { apiKey?: unknown }).apiKey;
    return typeof key === 'string' && key ? key : undefined;
  } catch {
    throw new ProviderError('not_configured', `secret ${arn} must hold JSON {"apiKey": "…"}`);
  }
}

export async function openaiKey(): Promise<string> {
  const inline = optionalEnv(ENV.openAiApiKey);
  if (inline) return inline;
  const arn = optionalEnv(ENV.openAiSecretArn);
  if (!arn) throw new ProviderError('not_configured', `${ENV.openAiApiKey} is not set`);
  stored ??= fromSecret(arn).catch((err: unknown) => {
    stored = undefined; // a transient Secrets Manager failure must not stick for the container's life
    throw err instanceof ProviderError ? err : new ProviderError('connection', `reading the OpenAI key from ${arn} failed: ${(err as Error).message}`);
  });
  const key = await stored;
  if (!key) throw new ProviderError('not_configured', `the OpenAI secret ${arn} has no apiKey yet`);
  return key;
}
