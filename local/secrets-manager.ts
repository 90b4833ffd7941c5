/**
 * An embedded Secrets Manager endpoint: enough of the AWS JSON 1.1 protocol for the real
 * `@aws-sdk/client-secrets-manager` (AWS_ENDPOINT_URL_SECRETS_MANAGER) to read the template's
 * secrets with GetSecretValue, by ARN or by name. Their values are local: given by the caller (the
 * signing secret the tests verify signatures with), or made the way CloudFormation makes them
 * from the secret's GenerateSecretString (a JSON template with a generated key, or a password).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenLocally, readBodyUpTo } from './local-server.js';
import type { LocalSecret } from './template-reader.js';

export interface SecretValue {
  readonly arn: string;
  readonly name: string;
  readonly value: string;
}

export interface SecretsManagerEndpoint {
  readonly url: string;
  close(): Promise<void>;
}

const TARGET_PREFIX = 'secretsmanager.';
const MAX_BODY_BYTES = 64 * 1024;

type GenerateSecretString = {
  SecretStringTemplate?: string;
  GenerateStringKey?: string;
  PasswordLength?: number;
  ExcludePunctuation?: boolean;
};

const LETTERS_AND_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

function password(length: number, excludePunctuation: boolean): string {
  const alphabet = excludePunctuation ? LETTERS_AND_DIGITS : LETTERS_AND_DIGITS + PUNCTUATION;
  return [...randomBytes(length)].map((b) => alphabet[b % alphabet.length]).join('');
}

/** The value CloudFormation would store for `secret` (its SecretString, or one generated as it says). */
export function generatedSecretValue(secret: LocalSecret): string {
  const props = secret.properties as { SecretString?: string; GenerateSecretString?: GenerateSecretString };
  if (typeof props.SecretString === 'string') return props.SecretString;
  const generate = props.GenerateSecretString ?? {};
  const generated = password(generate.PasswordLength ?? 32, generate.ExcludePunctuation ?? false);
  if (generate.SecretStringTemplate === undefined) return generated;
  const template = JSON.parse(generate.SecretStringTemplate) as Record<string, unknown>;
  return JSON.stringify({ ...template, [generate.GenerateStringKey ?? 'password']: generated });
}

class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const body = await readBodyUpTo(req, MAX_BODY_BYTES);
  if (!body) throw new ServiceError('InvalidRequestException', 'Request body too large');
  return body.toString('utf8');
}

export async function startSecretsManager(secrets: readonly SecretValue[], options: { host?: string } = {}): Promise<SecretsManagerEndpoint> {
  const created = Date.now() / 1000;
  const versions = new Map(secrets.map((s) => [s.arn, randomUUID()]));
  const find = (id: unknown): SecretValue => {
    const secret = secrets.find((s) => s.arn === id || s.name === id);
    if (!secret) throw new ServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return secret;
  };
  const operations: Record<string, (input: Record<string, unknown>) => unknown> = {
    GetSecretValue: (input) => {
      const secret = find(input.SecretId);
      const stage = input.VersionStage ?? 'AWSCURRENT';
      if (stage !== 'AWSCURRENT' || (input.VersionId !== undefined && input.VersionId !== versions.get(secret.arn))) {
        throw new ServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret value for the given version.");
      }
      return { ARN: secret.arn, Name: secret.name, SecretString: secret.value, VersionId: versions.get(secret.arn), VersionStages: ['AWSCURRENT'], CreatedDate: created };
    },
  };

  const respond = (res: ServerResponse, status: number, body: unknown, errorType?: string) => {
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-requestid': randomUUID(),
      ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
    });
    res.end(JSON.stringify(body));
  };
  const server = createServer((req, res) => {
    void (async () => {
      try {
        const target = String(req.headers['x-amz-target'] ?? '');
        const operation = target.startsWith(TARGET_PREFIX) ? operations[target.slice(TARGET_PREFIX.length)] : undefined;
        if (req.method !== 'POST' || !operation) throw new ServiceError('UnknownOperationException', `Operation ${target || '(none)'} is not supported here`);
        let input: Record<string, unknown>;
        try {
          input = JSON.parse((await readBody(req)) || '{}') as Record<string, unknown>;
        } catch (err) {
          throw err instanceof ServiceError ? err : new ServiceError('SerializationException', 'Request body is not valid JSON');
        }
        respond(res, 200, operation(input));
      } catch (err) {
        const type = err instanceof ServiceError ? err.type : 'InternalServiceError';
        respond(res, type === 'InternalServiceError' ? 500 : 400, { __type: type, message: (err as Error).message }, type);
      }
    })();
  });
  return listenLocally(server, { host: options.host });
}
