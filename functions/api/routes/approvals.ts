/** The approvals inbox and the decision endpoint. */
import { Hono } from 'hono';
import { z } from 'zod';
import { decide, decisionSchema } from '../../approvals/decide.js';
import { reviewLinksFor } from '../../approvals/review-links.js';
import { getApproval, listApprovals } from '../../records/approvals.js';
import { NotFoundError } from '../../shared/errors.js';
import { jsonBody, parseOrThrow } from '../validate.js';
import { publicApproval } from './approval-view.js';

const listQuery = z
  .object({
    status: z.enum(['pending', 'approved', 'edited', 'rejected', 'escalated', 'expired']).default('pending'),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().optional(),
  })
  .strict();

export const approvals = new Hono()
  .get('/', async (c) => {
    const query = parseOrThrow(listQuery, c.req.query(), 'query');
    const page = await listApprovals(query);
    return c.json({ approvals: page.approvals.map(publicApproval), nextCursor: page.nextCursor });
  })
  .get('/:approvalId', async (c) => {
    const approval = await getApproval(c.req.param('approvalId'));
    if (!approval) throw new NotFoundError(`No approval ${c.req.param('approvalId')}`);
    const reviewLinks = approval.status === 'pending' ? await reviewLinksFor(approval) : {};
    return c.json({ ...publicApproval(approval), reviewLinks });
  })
  .post('/:approvalId/decision', async (c) => {
    const input = parseOrThrow(decisionSchema, await jsonBody(c), 'body');
    const decided = await decide(c.req.param('approvalId'), input, 'api');
    return c.json(publicApproval(decided));
  });
