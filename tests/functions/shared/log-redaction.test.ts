/**
 * What the shared logger's replacer hides: credentials by the key they are kept under, and tokens
 * and signatures by their shape wherever they appear in a string. (The whole-run scan is
 * tests/local/log-secrets.e2e.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { redact, redactingReplacer } from '../../../functions/shared/log-redaction.js';

const stringify = (value: unknown) => JSON.stringify(value, redactingReplacer);

describe('redactingReplacer', () => {
  it.each([
    'authorization',
    'cookie',
    'token',
    'taskToken',
    'idToken',
    'slackBotToken',
    'signingSecret',
    'slackSigningSecret',
    'webhookSecret',
    'x-slack-signature',
    'x-handrail-signature',
    'webhook-signature',
    'openAiApiKey',
    'x-api-key',
    'password',
  ])('hides the value kept under %s', (key) => {
    // Act
    const text = stringify({ [key]: 'plain-looking-value', nested: { [key]: 'another-value' } });
    // Assess
    expect(text).not.toContain('value');
    expect(JSON.parse(text)).toEqual({ [key]: '<redacted>', nested: { [key]: '<redacted>' } });
  });

  it.each(['outputTokens', 'maxTokens', 'idempotencyKey', 'approvalId', 'reviewers'])('keeps %s', (key) => {
    expect(JSON.parse(stringify({ [key]: 42 }))).toEqual({ [key]: 42 });
  });
});

describe('redact', () => {
  const jwt = 'eyJhbGciOiJFUzI1NiIsImtpZCI6ImxvY2FsIn0.eyJlbWFpbCI6ImFkbWluQGV4YW1wbGUuY29tIn0.MEUCIQDx9s3Yk1yZr2m4t0qk7G8p';
  const linkToken = 'eyJhIjoicnVuLWFiYy5yZXZpZXcuMCIsInIiOiJ4QHkueiIsImV4cCI6MX0.c2lnbmF0dXJlLW9mLXRoZS1yZXZpZXctbGluay10b2tlbg';
  it.each([
    ['a review link path', 'GET /review/abc.def failed', 'abc.def'],
    ['an inbox link', 'http://localhost:3000/inbox/abc.def?x=1', 'abc.def'],
    ['a bearer token', 'sent Bearer dGhlLXRva2Vu.c2ln', 'dGhlLXRva2Vu'],
    ['a bare ID token', `token ${jwt} expired`, 'MEUCIQDx9s3Yk1yZr2m4t0qk7G8p'],
    ['a bare review link token', `claims of ${linkToken}`, 'c2lnbmF0dXJlLW9mLXRoZS1yZXZpZXctbGluay10b2tlbg'],
    ['a Slack signature', 'v0=0123456789abcdef0123456789abcdef', '0123456789abcdef'],
    ['a delivery signature', 'X-Handrail-Signature: sha256=0123456789abcdef0123456789abcdef', '0123456789abcdef'],
    ['a Slack bot token', 'xoxb-1234-5678-abcdef', '1234-5678'],
  ])('hides %s', (_what, text, secret) => {
    expect(redact(text)).not.toContain(secret);
  });

  it('keeps ordinary text', () => {
    const text = 'run run-abc.def approval run-abc.agent_review.0: 3 passages, sha256 of the draft unchanged';
    expect(redact(text)).toBe(text);
  });
});

describe('sign-in secrets', () => {
  it('redacts an authorization code and a PKCE verifier, and the cookies of an API Gateway event', () => {
    expect(redact('GET /auth/callback?code=abc123&state=s1')).toBe('GET /auth/callback?code=<redacted>&state=s1');
    expect(redact('grant_type=authorization_code&code_verifier=v3rIfIeR')).toBe('grant_type=authorization_code&code_verifier=<redacted>');
    expect(redactingReplacer('cookies', ['handrail-session=x'])).toBe('<redacted>');
  });
});

describe('personal data in log lines', () => {
  it.each([
    ['an email address', 'decided by support-agent@example.com', 'decided by <email>'],
    ['a phone number written as one', 'customer asked to call +44 20 7946 0958 back', 'customer asked to call <phone> back'],
    ['a card number', 'ticket said: my card 4111 1111 1111 1111 was charged twice', 'ticket said: my card <card> was charged twice'],
  ])('masks %s', (_what, text, masked) => {
    expect(redact(text)).toBe(masked);
    expect(JSON.parse(stringify({ message: text }))).toEqual({ message: masked });
  });

  it('keeps account ids, ARNs, times and counts readable', () => {
    const text = 'arn:aws:states:us-east-1:123456789012:execution:handrail-dev-support-reply:run-mx45iphk at 2026-12-01T04:40:23.123Z, 1796099739644 ms, 2000 runs';
    expect(redact(text)).toBe(text);
  });

  it('keeps run ids and request ids whole, digit groups and all (the correlation keys)', () => {
    // A run id whose random part reads like a phone number, and a request id (a UUID) with one inside.
    for (const id of ['run-mx4lu0bn-43b28662-2799', '2de213bf-a596-4e1b-2799-607568e45e7a', 'run-mx4lu0bn-43b28662-2799.agent_review.0']) {
      expect(redact(`{"runId":"${id}"}`)).toBe(`{"runId":"${id}"}`);
    }
    expect(redact('ring 020 7946 0958, or (020) 7946-0958.')).toBe('ring <phone>, or <phone>.');
  });
});
