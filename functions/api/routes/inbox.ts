/**
 * GET /inbox/{token}: a reviewer's pending requests, each opening its review page. The token is a
 * signed link bound to one reviewer (the same scheme as review links, for every approval: `*`).
 */
import { html } from 'hono/html';
import { reviewLinksFor } from '../../approvals/review-links.js';
import { listApprovals, type ApprovalRecord } from '../../records/approvals.js';
import { ForbiddenError } from '../../shared/errors.js';
import { isId } from '../../shared/ids.js';
import { verifyReviewToken } from '../../shared/review-link.js';
import { signingSecret } from '../../shared/signing-secret.js';
import { assertActive } from '../authorize.js';
import { statusFor } from '../errors.js';
import type { RouteHandlers } from '../route-handlers.js';
import { messagePage, page } from './review-page.js';

export { INBOX_SCOPE } from '../../approvals/inbox-link.js';
import { INBOX_SCOPE } from '../../approvals/inbox-link.js';

function timeLeft(deadline: string, now: number): string {
  const minutes = Math.round((Date.parse(deadline) - now) / 60_000);
  if (minutes < 0) return 'overdue';
  return minutes >= 120 ? `${Math.round(minutes / 60)} h left` : `${minutes} min left`;
}

async function pendingFor(reviewer: string): Promise<ApprovalRecord[]> {
  const mine: ApprovalRecord[] = [];
  let cursor: string | undefined;
  do {
    const pageOf = await listApprovals({ status: 'pending', limit: 100, cursor });
    mine.push(...pageOf.approvals.filter((a) => a.reviewers.includes(reviewer)));
    cursor = pageOf.nextCursor;
  } while (cursor && mine.length < 200);
  return mine.sort((a, b) => a.deadline.localeCompare(b.deadline));
}

export const inboxRoutes: RouteHandlers<'inbox'> = {
  inbox: async (c) => {
    let reviewer: string;
    try {
      const token = c.req.param('token');
      if (!isId('linkToken', token)) throw new ForbiddenError('This inbox link is not valid.');
      const claims = verifyReviewToken(await signingSecret(), token);
      if (claims.approvalId !== INBOX_SCOPE) throw new ForbiddenError('This link opens one review, not an inbox.');
      reviewer = claims.reviewer;
      await assertActive(c, reviewer);
    } catch (err) {
      if (statusFor(err) !== 403) throw err;
      return c.html(messagePage('Link not valid', (err as Error).message), 403);
    }
    const now = Date.now();
    const items = await pendingFor(reviewer);
    const rows = await Promise.all(items.map(async (a) => ({ a, link: (await reviewLinksFor({ ...a, reviewers: [reviewer] }))[reviewer]! })));
    return c.html(
      page(
        `Inbox of ${reviewer}`,
        html`<h1>Waiting for ${reviewer}</h1>
          ${
            rows.length
              ? html`<ol>${rows.map(
                  ({ a, link }) =>
                    html`<li class="card"><a href="${link}"><strong>${a.workflowId} / ${a.stepId}</strong></a> — ${timeLeft(a.deadline, now)}
                      <span class="meta">(requested ${a.requestedAt}, run ${a.runId})</span></li>`,
                )}</ol>`
              : html`<p class="notice">Nothing is waiting for you.</p>`
          }`,
      ),
    );
  },
};
