/**
 * The API app with no store behind it: tables are named but DynamoDB points at a closed port, so
 * any request that reaches the store fails (500). Boundary rules must answer before that.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { afterAll, beforeAll } from 'vitest';
import { createApp } from '../../../functions/api/app.js';
import { DEFAULT_LIMITS } from '../../../functions/limits/limits-config.js';
import { resetClients } from '../../../functions/shared/aws-clients.js';
import { signReviewToken } from '../../../functions/shared/review-link.js';
import { resetSigningSecret } from '../../../functions/shared/signing-secret.js';
import { resetWorkflowRegistry } from '../../../functions/shared/workflow-registry.js';
import { signedWebhookHeaders } from '../../../functions/triggers/standard-webhooks.js';
import { resetWebhookSecrets } from '../../../functions/triggers/webhook-secrets.js';
import { loadWorkflows } from '../../../state-machines/load-workflow.js';
import { startTestIssuer } from '../../support/test-issuer.js';

export const SECRET = 'api-boundary-test-secret';
export const WEBHOOK_SECRET = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
export const WORKFLOWS_DIR = fileURLToPath(new URL('../../fixtures/workflows', import.meta.url));

/**
 * The app, signed in: each request carries the directory admin's ID token from a test issuer
 * (tests/support/test-issuer.ts) unless it sends its own `authorization`.
 */
export async function storelessApp(): Promise<Hono> {
  const issuer = await startTestIssuer();
  afterAll(() => issuer.close());
  const admin = await issuer.tokenFor('admin@example.com');
  // Each fixture workflow's webhook secret, as the local runtime keeps them (a file per workflow).
  const secrets = mkdtempSync(join(tmpdir(), 'webhook-secrets-'));
  for (const { definition } of loadWorkflows(WORKFLOWS_DIR)) writeFileSync(join(secrets, definition.id), WEBHOOK_SECRET);
  Object.assign(process.env, {
    HANDRAIL_SIGNING_SECRET: SECRET,
    HANDRAIL_WEBHOOK_SECRETS_DIR: secrets,
    HANDRAIL_WORKFLOWS_DIR: WORKFLOWS_DIR,
    HANDRAIL_RUNS_TABLE: 'runs',
    HANDRAIL_APPROVALS_TABLE: 'approvals',
    HANDRAIL_AUDIT_TABLE: 'audit',
    HANDRAIL_KNOWLEDGE_TABLE: 'knowledge',
    HANDRAIL_KNOWLEDGE_BUCKET: 'knowledge',
    // Request counters go to the closed port too: the throttle admits a request it cannot count (logged).
    HANDRAIL_THROTTLE_TABLE: 'throttle',
    HANDRAIL_THROTTLE_LIMITS: JSON.stringify(DEFAULT_LIMITS),
    HANDRAIL_PUBLIC_URL: 'http://localhost:3000',
    AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
    AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9',
    AWS_MAX_ATTEMPTS: '1',
  });
  resetClients();
  resetSigningSecret();
  resetWorkflowRegistry();
  resetWebhookSecrets();
  // No store to ask whether a user is disabled: every signed-in caller here is enabled (the e2e tests disable users).
  const app = createApp({ accountStanding: async () => 'active' });
  const request = app.request.bind(app);
  app.request = (input, init, ...rest) => {
    const headers = new Headers(init?.headers);
    if (!headers.has('authorization')) headers.set('authorization', `Bearer ${admin}`);
    // Webhook calls come from their sender, signed (the boundary rules run behind the signature).
    if (String(input).startsWith('/webhooks/') && typeof init?.body === 'string' && !headers.has('webhook-signature')) {
      for (const [name, value] of Object.entries(signedWebhookHeaders(WEBHOOK_SECRET, `msg_${randomUUID()}`, init.body))) headers.set(name, value);
    }
    return request(input, { ...init, headers }, ...rest);
  };
  return app;
}

/** A review link token for `approvalId`, signed with SECRET, valid for ten minutes. */
export function reviewToken(approvalId = 'run-abc.review.0', reviewer = 'reviewer@example.com'): string {
  return signReviewToken(SECRET, { approvalId, reviewer, expiresAt: Math.floor(Date.now() / 1000) + 600 });
}

export const json = (body: string, headers: Record<string, string> = {}) => ({ method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

/** Serves the app (made in a hook, hence the getter) over real HTTP on a loopback port for the enclosing describe block; `port()` says which. */
export function servedOverHttp(app: () => Hono): { port(): number } {
  let server: ReturnType<typeof serve>;
  let port = 0;
  beforeAll(async () => {
    server = serve({ fetch: app().fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((r) => server.once('listening', () => r()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  return { port: () => port };
}
