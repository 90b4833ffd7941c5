/**
 * The embedded Secrets Manager (local/secrets-manager.ts) through the real SDK client, and the
 * values it makes from a template's GenerateSecretString as CloudFormation would.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedSecretValue, startSecretsManager, type SecretsManagerEndpoint } from '../../local/secrets-manager.js';

const signing = { arn: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:SigningSecret', name: 'SigningSecret', value: 's3cret' };
let endpoint: SecretsManagerEndpoint;
let client: SecretsManagerClient;

beforeAll(async () => {
  endpoint = await startSecretsManager([signing]);
  client = new SecretsManagerClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });
});
afterAll(async () => {
  client?.destroy();
  await endpoint?.close();
});

describe('GetSecretValue', () => {
  it.each([signing.arn, signing.name])('reads a secret by ARN or name (%s)', async (secretId) => {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    expect(out).toMatchObject({ ARN: signing.arn, Name: signing.name, SecretString: 's3cret', VersionStages: ['AWSCURRENT'] });
    expect(out.CreatedDate).toBeInstanceOf(Date);
  });

  it('answers ResourceNotFoundException for an unknown secret or version stage', async () => {
    await expect(client.send(new GetSecretValueCommand({ SecretId: 'nope' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } });
    await expect(client.send(new GetSecretValueCommand({ SecretId: signing.arn, VersionStage: 'AWSPREVIOUS' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

describe('generated values', () => {
  const secret = (properties: Record<string, unknown>) => ({ logicalId: 'S', arn: 'arn', name: 'S', properties });

  it('fills a JSON template with a generated key, as the channel and OpenAI secrets are made', () => {
    const value = JSON.parse(generatedSecretValue(secret({ GenerateSecretString: { SecretStringTemplate: '{"apiKey":""}', GenerateStringKey: 'unused', ExcludePunctuation: true } })));
    expect(value).toEqual({ apiKey: '', unused: expect.stringMatching(/^[A-Za-z0-9]{32}$/) });
  });

  it('makes a password of the asked length, or takes a literal SecretString', () => {
    expect(generatedSecretValue(secret({ GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true } }))).toMatch(/^[A-Za-z0-9]{48}$/);
    expect(generatedSecretValue(secret({ SecretString: 'literal' }))).toBe('literal');
  });
});
