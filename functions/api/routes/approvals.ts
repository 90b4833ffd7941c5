/**
 * The approvals inbox and the decision endpoint. Who decides is the signed-in caller (authorize.ts),
 * never the body. A caller who is only a reviewer sees their own requests and their own review
 * link; an admin sees every reviewer's links; an auditor reads requests but gets no link.
 */
import type { Context } from 'hono';
import { decide } from '../../approvals/decide.js';
import { decideItem } from '../../approvals/decide-item.js';
import { reviewLinksFor } from '../../approvals/review-links.js';
import { hasRole, type Caller } from '../../auth/caller.js';
import { getApproval, listApprovals, type ApprovalRecord } from '../../records/approvals.js';
import { ForbiddenError, NotFoundError } from '../../shared/errors.js';
import { callerIn } from '../authorize.js';
import { decisionAuthOf, decisionBy } from '../decision-request.js';
import { pathId } from '../path-params.js';
import type { RouteHandlers } from '../route-handlers.js';
import { schemas } from '../route-table.js';
import { parseOrThrow } from '../validate.js';
import { publicApproval } from '../../approvals/approval-view.js';

/** A reviewer (without a wider role) is limited to the requests that name them. */
const onlyOwn = (caller: Caller) => !hasRole(caller, 'admin', 'auditor');

async function approvalFor(c: Context, caller: Caller): Promise<ApprovalRecord> {
  const approvalId = pathId(c, 'approvalId', 'approvalId', 'approval');
  const approval = await getApproval(approvalId);
  // Not theirs is answered like absent: a reviewer learns nothing of others' requests.
  if (!approval || (onlyOwn(caller) && !approval.reviewers.includes(caller.id))) throw new NotFoundError(`No approval ${approvalId}`);
  return approval;
}

/** The review links the caller may hold: an admin every reviewer's, a reviewer their own, others none. */
async function linksFor(approval: ApprovalRecord, caller: Caller): Promise<Record<string, string>> {
  if (approval.status !== 'pending') return {};
  if (hasRole(caller, 'admin')) return reviewLinksFor(approval);
  if (hasRole(caller, 'reviewer') && approval.reviewers.includes(caller.id)) return reviewLinksFor({ ...approval, reviewers: [caller.id] });
  return {};
}

export const approvalRoutes: RouteHandlers<'listApprovals' | 'getApproval' | 'decide' | 'decidePart'> = {
  listApprovals: async (c) => {
    const caller = callerIn(c);
    const query = parseOrThrow(schemas.listApprovals, c.req.query(), 'query');
    if (onlyOwn(caller) && query.reviewer && query.reviewer !== caller.id) throw new ForbiddenError(`reviewer: you may list only your own queue (${caller.id})`);
    const reviewer = onlyOwn(caller) ? caller.id : query.reviewer;
    const page = await listApprovals({ status: query.status, limit: query.limit, cursor: query.cursor });
    const cutoff = query.olderThanMinutes !== undefined ? Date.now() - query.olderThanMinutes * 60_000 : undefined;
    const matching = page.approvals.filter(
      (a) =>
        (!reviewer || a.reviewers.includes(reviewer)) &&
        (!query.workflowId || a.workflowId === query.workflowId) &&
        (cutoff === undefined || Date.parse(a.requestedAt) <= cutoff),
    );
    return c.json({ approvals: matching.map((a) => publicApproval(a)), nextCursor: page.nextCursor });
  },
  getApproval: async (c) => {
    const caller = callerIn(c);
    const approval = await approvalFor(c, caller);
    return c.json({ ...publicApproval(approval), reviewLinks: await linksFor(approval, caller) });
  },
  decide: async (c) => {
    const approvalId = pathId(c, 'approvalId', 'approvalId', 'approval');
    const caller = callerIn(c);
    const decided = await decide(approvalId, await decisionBy(c, caller), 'api', decisionAuthOf(caller));
    return c.json(publicApproval(decided));
  },
  decidePart: async (c) => {
    const approvalId = pathId(c, 'approvalId', 'approvalId', 'approval');
    const itemId = pathId(c, 'itemId', 'itemId', 'part');
    const caller = callerIn(c);
    const decided = await decideItem(approvalId, itemId, await decisionBy(c, caller), 'api', decisionAuthOf(caller));
    return c.json(publicApproval(decided));
  },
};
