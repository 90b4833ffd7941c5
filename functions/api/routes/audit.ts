/** The audit trail's integrity (functions/audit/verify-chain.ts). */
import { verifyAuditTrail } from '../../audit/verify-chain.js';
import type { RouteHandlers } from '../route-handlers.js';
import { schemas } from '../route-table.js';
import { parseOrThrow } from '../validate.js';

export const auditRoutes: RouteHandlers<'verifyAudit'> = {
  verifyAudit: async (c) => {
    const { from, to } = parseOrThrow(schemas.verifyAudit, c.req.query(), 'query');
    const iso = (t?: string) => (t ? new Date(t).toISOString() : undefined);
    return c.json(await verifyAuditTrail({ from: iso(from), to: iso(to) }));
  },
};
