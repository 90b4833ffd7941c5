/** A reviewer's signed link to their inbox page (emails and Slack carry it beside review links). */
import { ENV } from '../shared/env-names.js';
import { numberEnv, requireEnv } from '../shared/env.js';
import { signReviewToken } from '../shared/review-link.js';
import { signingSecret } from '../shared/signing-secret.js';

export const INBOX_SCOPE = '*';

export async function inboxLinkFor(reviewer: string, ttlSeconds?: number): Promise<string> {
  return `${requireEnv(ENV.publicUrl).replace(/\/$/, '')}${await inboxPathFor(reviewer, ttlSeconds)}`;
}

/** The same link's path, for this site's own pages (the review page links the reviewer's inbox). */
export async function inboxPathFor(reviewer: string, ttlSeconds = numberEnv(ENV.reviewLinkTtl, 7 * 24 * 3600)): Promise<string> {
  const token = signReviewToken(await signingSecret(), { approvalId: INBOX_SCOPE, reviewer, expiresAt: Math.floor(Date.now() / 1000) + ttlSeconds });
  return `/inbox/${token}`;
}
