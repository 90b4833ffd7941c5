/**
 * GET /inbox/{token}: a reviewer's pending requests, soonest deadline first, each opening its review
 * page, with why it is theirs at a glance (the review page's reasons). The token is a signed link
 * bound to one reviewer (the same scheme as review links, for every approval: `*`).
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
import { messagePage, page, reviewerBar, routedBecause, timeLeft } from './review-page.js';

export { INBOX_SCOPE } from '../../approvals/inbox-link.js';
import { INBOX_SCOPE } from '../../approvals/inbox-link.js';

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
        html`<h1>Waiting for you <span class="badge">${rows.length}</span></h1>
          ${
            rows.length
              ? html`<ol class="inbox">${rows.map(({ a, link }) => {
                  const left = timeLeft(a.deadline, now);
                  const why = routedBecause(a);
                  return html`<li class="card"><p><a href="${link}"><strong>${a.workflowId} / ${a.stepId}</strong></a>
                      <span class="badge left ${left === 'overdue' ? 's-failed' : 's-pending'}">${left}</span></p>
                    ${why.length ? html`<ul class="why-list">${why}</ul>` : ''}
                    <p class="meta">requested ${a.requestedAt.slice(0, 16).replace('T', ' ')} UTC · run ${a.runId}</p></li>`;
                })}</ol>`
              : html`<p class="notice">Nothing is waiting for you.</p>`
          }`,
        reviewerBar(reviewer, c.req.path, 'inbox'),
      ),
    );
  },
};
