/**
 * GET /usage?workflowId=&day=YYYY-MM-DD: tokens and cost from the usage counters, for a workflow on
 * a day, a workflow on every day it ran, or every workflow on a day, with totals.
 */
import { Hono } from 'hono';
import * as z from 'zod';
import { usageRows } from '../../usage/counters.js';
import { sumRows } from '../../usage/totals.js';
import { idSchema } from '../../shared/ids.js';
import { parseOrThrow } from '../validate.js';

const usageQuery = z
  .object({
    workflowId: idSchema('workflowId', 'a workflow id').optional(),
    day: z.iso.date('a day as YYYY-MM-DD').optional(),
  })
  .strict()
  .refine((q) => q.workflowId || q.day, { message: 'give workflowId, day (YYYY-MM-DD), or both', path: ['workflowId'] });

export const usage = new Hono().get('/', async (c) => {
  const query = parseOrThrow(usageQuery, c.req.query(), 'query');
  const rows = await usageRows(query);
  rows.sort((a, b) => a.day.localeCompare(b.day) || a.workflowId.localeCompare(b.workflowId));
  return c.json({ workflowId: query.workflowId ?? null, day: query.day ?? null, totals: sumRows(rows), breakdown: rows });
});
