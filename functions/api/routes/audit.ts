/** The audit trail's integrity (functions/audit/verify-chain.ts). */
import { verifyAuditTrail } from '../../audit/verify-chain.js';
import { auditEventsPage } from '../../records/audit-pages.js';
import type { RouteHandlers } from '../route-handlers.js';
import { schemas } from '../route-table.js';
import { parseOrThrow } from '../validate.js';

/** A time as the events record theirs (ISO 8601 in UTC), so windows compare as text. */
const iso = (t?: string) => (t ? new Date(t).toISOString() : undefined);

export const auditRoutes: RouteHandlers<'verifyAudit' | 'listAuditEvents'> = {
  verifyAudit: async (c) => {
    const { from, to } = parseOrThrow(schemas.verifyAudit, c.req.query(), 'query');
    return c.json(await verifyAuditTrail({ from: iso(from), to: iso(to) }));
  },
  listAuditEvents: async (c) => {
    const { from, to, limit, cursor } = parseOrThrow(schemas.listAuditEvents, c.req.query(), 'query');
    return c.json(await auditEventsPage({ from: iso(from), to: iso(to), limit, ...(cursor ? { cursor } : {}) }));
  },
};
