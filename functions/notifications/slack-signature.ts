/**
 * Slack's v0 request signing: `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:{timestamp}:{raw body}">`
 * keyed with the app's signing secret. A request is refused unless the signature matches (constant
 * time), the timestamp is within five minutes, and this exact signature was never seen before:
 * a captured request cannot be replayed, not even within the five minutes.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { claimNonce, type NonceClaim } from '../records/nonces.js';
import { UnauthorizedError } from '../shared/errors.js';

export const SLACK_MAX_AGE_SECONDS = 5 * 60;

export interface SlackSignedRequest {
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
  readonly rawBody: string;
}

export function slackSignature(secret: string, timestamp: string, rawBody: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

/** Signature and freshness, no I/O. @throws UnauthorizedError */
export function verifySlackSignature(secret: string, req: SlackSignedRequest, now = Date.now()): void {
  if (!req.timestamp || !/^\d{1,12}$/.test(req.timestamp) || !req.signature) throw new UnauthorizedError('Slack request is not signed');
  const expected = Buffer.from(slackSignature(secret, req.timestamp, req.rawBody));
  const given = Buffer.from(req.signature);
  // Checked before the timestamp, so an unsigned caller learns nothing about our clock.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new UnauthorizedError('Slack signature does not match');
  if (Math.abs(now / 1000 - Number(req.timestamp)) > SLACK_MAX_AGE_SECONDS) throw new UnauthorizedError('Slack request is older than five minutes');
}

/** Slack's signatures, claimed once each (records/nonces.ts). */
export const claimSlackNonce: NonceClaim = (nonce, expiresAt) => claimNonce(`slack-nonce#${nonce}`, expiresAt);

/** Signature, freshness, then single use. @throws UnauthorizedError */
export async function verifySlackRequest(secret: string, req: SlackSignedRequest, claim: NonceClaim = claimSlackNonce, now = Date.now()): Promise<void> {
  verifySlackSignature(secret, req, now);
  const nonce = req.signature!.slice('v0='.length);
  if (!(await claim(nonce, Math.floor(now / 1000) + 2 * SLACK_MAX_AGE_SECONDS))) throw new UnauthorizedError('Slack request was already received (replay)');
}
