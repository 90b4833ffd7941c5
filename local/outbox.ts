/**
 * The local mail outbox: approval emails (and queue owners' notices) are written as .eml files (HANDRAIL_EMAIL_TRANSPORT=outbox)
 * instead of being sent, and served here, so the email channel can be tried without a mail server.
 * `GET /outbox` lists them (newest first); `GET /outbox/{id}` is the .eml itself, which any mail
 * client opens.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { z } from 'zod';
// Only mime.ts: importing the senders here would construct the logger before the runtime sets its level.
import { OUTBOX_ID, parseEmlHeaders } from '../functions/notifications/mime.js';

export interface OutboxEntry {
  readonly id: string;
  readonly to: string;
  readonly subject: string;
  readonly sentAt: string;
  readonly approvalId?: string;
  /** A notice to a queue owner: the run it is about. */
  readonly runId?: string;
  readonly links: string[];
}

const listQuery = z.object({ to: z.string().min(1).optional(), approvalId: z.string().min(1).optional(), runId: z.string().min(1).optional() }).strict();
const idParam = z.string().regex(OUTBOX_ID);

function entry(dir: string, id: string): OutboxEntry {
  const headers = parseEmlHeaders(readFileSync(join(dir, `${id}.eml`), 'utf8'));
  const one = (name: string) => headers.get(name)?.[0] ?? '';
  const date = new Date(one('date'));
  return {
    id,
    to: one('to'),
    subject: one('subject'),
    sentAt: Number.isNaN(date.getTime()) ? '' : date.toISOString(),
    ...(one('x-handrail-approval-id') ? { approvalId: one('x-handrail-approval-id') } : {}),
    ...(one('x-handrail-run-id') ? { runId: one('x-handrail-run-id') } : {}),
    links: [...(headers.get('x-handrail-review-link') ?? []), ...(headers.get('x-handrail-run-link') ?? [])],
  };
}

export function createOutbox(dir: string): Hono {
  const ids = () => (existsSync(dir) ? readdirSync(dir) : []).filter((f) => f.endsWith('.eml')).map((f) => f.slice(0, -4)).filter((id) => OUTBOX_ID.test(id));
  return new Hono()
    .get('/', (c) => {
      const query = listQuery.safeParse(c.req.query());
      if (!query.success) return c.json({ error: { code: 'ValidationError', message: `query: ${query.error.issues[0]!.message}` } }, 400);
      const { to, approvalId, runId } = query.data;
      const messages = ids()
        .sort()
        .reverse()
        .map((id) => entry(dir, id))
        .filter((m) => (!to || m.to === to) && (!approvalId || m.approvalId === approvalId) && (!runId || m.runId === runId));
      return c.json({ messages });
    })
    .get('/:id', (c) => {
      // The id is checked against its pattern first: it names a file, so no path may slip in.
      const id = idParam.safeParse(c.req.param('id'));
      if (!id.success || !existsSync(join(dir, `${id.data}.eml`))) return c.json({ error: { code: 'NotFound', message: `No message ${c.req.param('id')} in the outbox` } }, 404);
      return c.body(readFileSync(join(dir, `${id.data}.eml`), 'utf8'), 200, { 'content-type': 'message/rfc822' });
    });
}
