/** Builds each reviewer's signed link to the review page of an approval. */
import { ENV } from '../shared/env-names.js';
import { numberEnv, requireEnv } from '../shared/env.js';
import { signReviewToken } from '../shared/review-link.js';
import { signingSecret } from '../shared/signing-secret.js';

const DEFAULT_TTL_SECONDS = 7 * 24 * 3600;

/** Links expire at the approval's deadline, and never later than the configured lifetime. */
export async function reviewLinksFor(approval: { approvalId: string; reviewers: string[]; deadline: string }): Promise<Record<string, string>> {
  const secret = await signingSecret();
  const base = requireEnv(ENV.publicUrl).replace(/\/$/, '');
  const ttlCap = Math.floor(Date.now() / 1000) + numberEnv(ENV.reviewLinkTtl, DEFAULT_TTL_SECONDS);
  const expiresAt = Math.min(Math.floor(new Date(approval.deadline).getTime() / 1000), ttlCap);
  return Object.fromEntries(
    approval.reviewers.map((reviewer) => [
      reviewer,
      `${base}/review/${signReviewToken(secret, { approvalId: approval.approvalId, reviewer, expiresAt })}`,
    ]),
  );
}
