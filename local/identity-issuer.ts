/**
 * The local runtime's identity provider: an OIDC-compatible issuer with its own signing key (ES256,
 * kept in the data dir), a discovery document and JWKS under `<api url>/local-idp`, and ID tokens
 * shaped like Cognito's (`email`, `cognito:groups`, short-lived) for the users of the reviewer
 * directory. The API verifies them exactly as it verifies Cognito's on AWS (functions/auth/id-tokens.ts).
 * Tokens are minted from the key file (`npx handrail login <user>`), or through the authorization
 * code flow (issuer-sign-in.ts), whose sign-in page asks for the sign-in code kept in the data dir:
 * either way, whoever can read the data dir is the local operator, and only they sign in.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { LOCAL_AUDIENCE } from '../functions/auth/local-identity.js';
import { GROUPS_CLAIM } from '../functions/auth/id-tokens.js';
import type { Directory } from '../state-machines/directory.js';
import { signInEndpoints, type LocalSignInOptions } from './issuer-sign-in.js';

const ALG = 'ES256';
/** ID tokens live an hour, as Cognito's do by default. */
export const DEFAULT_TOKEN_SECONDS = 3600;

export interface IssuerKey {
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
}

function keyFile(dataDir: string): string {
  return join(dataDir, 'identity', 'issuer-key.json');
}

/** The issuer's key pair: created on first use, then read from the data dir. */
export async function issuerKey(dataDir: string): Promise<IssuerKey> {
  const file = keyFile(dataDir);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as IssuerKey;
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const key: IssuerKey = { privateJwk: { ...(await exportJWK(privateKey)), kid, alg: ALG }, publicJwk: { ...publicJwk, kid, alg: ALG, use: 'sig' } };
  mkdirSync(join(dataDir, 'identity'), { recursive: true, mode: 0o700 });
  writeFileSync(file, JSON.stringify(key), { mode: 0o600 });
  return key;
}

/**
 * Discovery and keys, mounted by the runtime at LOCAL_ISSUER_PATH; with `signIn`, the authorization
 * and token endpoints too (issuer-sign-in.ts), advertised in the discovery document.
 */
export function issuerRoutes(key: IssuerKey, issuer: () => string, signIn?: Omit<LocalSignInOptions, 'key' | 'issuer'>): Hono {
  const routes = new Hono()
    .get('/.well-known/openid-configuration', (c) =>
      c.json({
        issuer: issuer(),
        jwks_uri: `${issuer()}/.well-known/jwks.json`,
        id_token_signing_alg_values_supported: [ALG],
        subject_types_supported: ['public'],
        claims_supported: ['sub', 'email', 'nonce', GROUPS_CLAIM],
        ...(signIn
          ? {
              authorization_endpoint: `${issuer()}/authorize`,
              token_endpoint: `${issuer()}/token`,
              response_types_supported: ['code'],
              grant_types_supported: ['authorization_code'],
              code_challenge_methods_supported: ['S256'],
              token_endpoint_auth_methods_supported: ['none'],
              scopes_supported: ['openid', 'email', 'profile'],
              authorization_response_iss_parameter_supported: true,
            }
          : { response_types_supported: ['id_token'] }),
      }),
    )
    .get('/.well-known/jwks.json', (c) => c.json({ keys: [key.publicJwk] }));
  return signIn ? routes.route('/', signInEndpoints({ ...signIn, key, issuer })) : routes;
}

export class UnknownUserError extends Error {}

/**
 * The issuer's keys on a port of their own, standing in for a deployed stage's identity provider
 * (its Cognito user pool's JWKS) where the shipped bundles run locally (bundled-runtime.ts).
 */
export async function serveIssuerKeys(key: IssuerKey, issuer: string, host: string): Promise<{ jwksUrl: string; close(): Promise<void> }> {
  const server = serve({ fetch: issuerRoutes(key, () => issuer).fetch, port: 0, hostname: host });
  await new Promise<void>((r) => server.once('listening', () => r()));
  const { port } = server.address() as AddressInfo;
  return { jwksUrl: `http://${host}:${port}/.well-known/jwks.json`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** An ID token for `userId` of the directory, with its roles as groups. */
export async function mintIdToken(options: { key: IssuerKey; issuer: string; directory: Directory; userId: string; ttlSeconds?: number; audience?: string; nonce?: string }): Promise<string> {
  const { key, issuer, directory, userId } = options;
  const user = directory.users[userId];
  if (!user) throw new UnknownUserError(`no user ${userId} in the reviewer directory; known: ${Object.keys(directory.users).join(', ')}`);
  const ttl = options.ttlSeconds ?? DEFAULT_TOKEN_SECONDS;
  // Directory ids are emails (reviewers are named by them), as Cognito users are by theirs.
  return new SignJWT({ email: userId, [GROUPS_CLAIM]: user.roles, ...(user.name ? { name: user.name } : {}), ...(options.nonce ? { nonce: options.nonce } : {}) })
    .setProtectedHeader({ alg: ALG, kid: key.privateJwk.kid, typ: 'JWT' })
    .setIssuer(issuer)
    .setAudience(options.audience ?? LOCAL_AUDIENCE)
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttl)
    .sign(await importJWK(key.privateJwk, ALG));
}
