/**
 * GET /usage?workflowId=&day=YYYY-MM-DD: tokens and cost from the usage counters, for a workflow on
 * a day, a workflow on every day it ran, or every workflow on a day, with totals.
 */
import { usageRows } from '../../usage/counters.js';
import { sumRows } from '../../usage/totals.js';
import type { RouteHandlers } from '../route-handlers.js';
import { schemas } from '../route-table.js';
import { parseOrThrow } from '../validate.js';

export const usageRoutes: RouteHandlers<'usage'> = {
  usage: async (c) => {
    const query = parseOrThrow(schemas.usage, c.req.query(), 'query');
    const rows = await usageRows(query);
    rows.sort((a, b) => a.day.localeCompare(b.day) || a.workflowId.localeCompare(b.workflowId));
    return c.json({ workflowId: query.workflowId ?? null, day: query.day ?? null, totals: sumRows(rows), breakdown: rows });
  },
};
