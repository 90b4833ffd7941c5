/**
 * The approvals inbox and the decision endpoint. Deciding requires the reviewer's credentials
 * (`Authorization: Bearer <reviewer token>`): the server, not the client, says who decides.
 */
import { Hono } from 'hono';
import * as z from 'zod';
import { decide } from '../../approvals/decide.js';
import { decideItem } from '../../approvals/decide-item.js';
import { reviewLinksFor } from '../../approvals/review-links.js';
import { getApproval, listApprovals } from '../../records/approvals.js';
import { NotFoundError } from '../../shared/errors.js';
import { idSchema } from '../../shared/ids.js';
import { authorizedDecision } from '../decision-request.js';
import { pathId } from '../path-params.js';
import { parseOrThrow } from '../validate.js';
import { publicApproval } from './approval-view.js';

const listQuery = z
  .object({
    status: z.enum(['pending', 'approved', 'edited', 'rejected', 'escalated', 'expired', 'auto_approved']).default('pending'),
    reviewer: z.string().min(1).max(320).optional(),
    workflowId: idSchema('workflowId', 'a workflow id').optional(),
    /** Only requests waiting at least this long. */
    olderThanMinutes: z.coerce.number().min(0).max(1e7).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().optional(),
  })
  .strict();

export const approvals = new Hono()
  .get('/', async (c) => {
    const query = parseOrThrow(listQuery, c.req.query(), 'query');
    const page = await listApprovals({ status: query.status, limit: query.limit, cursor: query.cursor });
    const cutoff = query.olderThanMinutes !== undefined ? Date.now() - query.olderThanMinutes * 60_000 : undefined;
    const matching = page.approvals.filter(
      (a) =>
        (!query.reviewer || a.reviewers.includes(query.reviewer)) &&
        (!query.workflowId || a.workflowId === query.workflowId) &&
        (cutoff === undefined || Date.parse(a.requestedAt) <= cutoff),
    );
    return c.json({ approvals: matching.map((a) => publicApproval(a)), nextCursor: page.nextCursor });
  })
  .get('/:approvalId', async (c) => {
    const approvalId = pathId(c, 'approvalId', 'approvalId', 'approval');
    const approval = await getApproval(approvalId);
    if (!approval) throw new NotFoundError(`No approval ${approvalId}`);
    const reviewLinks = approval.status === 'pending' ? await reviewLinksFor(approval) : {};
    return c.json({ ...publicApproval(approval), reviewLinks });
  })
  .post('/:approvalId/decision', async (c) => {
    const approvalId = pathId(c, 'approvalId', 'approvalId', 'approval');
    const decided = await decide(approvalId, await authorizedDecision(c), 'api');
    return c.json(publicApproval(decided));
  })
  .post('/:approvalId/items/:itemId/decision', async (c) => {
    const approvalId = pathId(c, 'approvalId', 'approvalId', 'approval');
    const itemId = pathId(c, 'itemId', 'itemId', 'part');
    const decided = await decideItem(approvalId, itemId, await authorizedDecision(c), 'api');
    return c.json(publicApproval(decided));
  });
