/**
 * An identity provider for tests that run the API app without the local runtime: the embedded
 * issuer's routes (local/identity-issuer.ts) on a loopback port, and the API's environment pointed
 * at it, so requests carry real ID tokens that the app verifies with jose as it does everywhere.
 */
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { LOCAL_AUDIENCE, LOCAL_ISSUER_PATH } from '../../functions/auth/local-identity.js';
import { resetIdTokenKeys } from '../../functions/auth/id-tokens.js';
import { ENV } from '../../functions/shared/env-names.js';
import { issuerKey, issuerRoutes, mintIdToken } from '../../local/identity-issuer.js';
import { loadDirectory } from '../../state-machines/directory.js';

export interface TestIssuer {
  readonly issuer: string;
  /** An ID token for a user of the reviewer directory (state-machines/reviewers.yaml). */
  tokenFor(userId: string, ttlSeconds?: number): Promise<string>;
  close(): Promise<void>;
}

export async function startTestIssuer(): Promise<TestIssuer> {
  const key = await issuerKey(mkdtempSync(join(tmpdir(), 'handrail-issuer-')));
  let issuer = '';
  const app = new Hono().route(LOCAL_ISSUER_PATH, issuerRoutes(key, () => issuer));
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((r) => server.once('listening', () => r()));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}${LOCAL_ISSUER_PATH}`;
  // The API's browser sign-in comes back to itself (as http://localhost: cookies without Secure).
  Object.assign(process.env, { [ENV.authIssuer]: issuer, [ENV.authAudience]: LOCAL_AUDIENCE, [ENV.authRedirectUrl]: 'http://localhost:3000/auth/callback' });
  resetIdTokenKeys();
  const directory = loadDirectory();
  return {
    issuer,
    tokenFor: (userId, ttlSeconds) => mintIdToken({ key, issuer, directory, userId, ttlSeconds }),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
