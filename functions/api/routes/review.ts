/**
 * GET /review/{token}: the page a reviewer opens from an email or Slack link.
 * POST /review/{token}: the form on that page. The token is checked before anything is read.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { decide } from '../../approvals/decide.js';
import { decideItem } from '../../approvals/decide-item.js';
import { getApproval } from '../../records/approvals.js';
import { recordAudit } from '../../records/audit.js';
import { ForbiddenError, HandrailError, NotFoundError } from '../../shared/errors.js';
import { verifyReviewToken } from '../../shared/review-link.js';
import { signingSecret } from '../../shared/signing-secret.js';
import { statusFor } from '../errors.js';
import { parseOrThrow } from '../validate.js';
import { messagePage, reviewPage } from './review-page.js';

const formSchema = z.object({
  action: z.enum(['approve', 'edit', 'reject']),
  draftHash: z.string(),
  itemId: z.string().optional(),
  text: z.string().optional(),
  reasonCode: z.string().optional(),
  reason: z.string().max(2000).optional(),
});

async function claims(c: Context) {
  return verifyReviewToken(await signingSecret(), c.req.param('token') ?? '');
}

function htmlError(c: Context, err: unknown) {
  const status = statusFor(err);
  if (status === 500) throw err;
  const titles = { 400: 'Check the form', 401: 'Sign-in needed', 403: 'Not allowed', 404: 'Not found', 409: 'Cannot apply this decision' } as const;
  return c.html(messagePage(titles[status], (err as Error).message), status);
}

export const review = new Hono()
  .get('/:token', async (c) => {
    try {
      const { approvalId, reviewer } = await claims(c);
      const approval = await getApproval(approvalId);
      if (!approval) throw new NotFoundError('This approval no longer exists.');
      return c.html(reviewPage(approval, reviewer));
    } catch (err) {
      return htmlError(c, err);
    }
  })
  .post('/:token', async (c) => {
    try {
      const { approvalId, reviewer } = await claims(c).catch(async (err: unknown) => {
        if (err instanceof ForbiddenError) await recordAudit({ subject: 'review-links', type: 'review_link.denied', actor: 'unknown', details: { reason: err.message } });
        throw err;
      });
      const form = parseOrThrow(formSchema, await c.req.parseBody(), 'form');
      const original = await getApproval(approvalId);
      const shown = form.itemId ? original?.items?.find((i) => i.itemId === form.itemId)?.draft : original?.draft;
      // "Send my edit" with the text unchanged is an approval of the draft as it stands.
      const action = form.action === 'edit' && shown && form.text?.trim() === shown.text.trim() ? 'approve' : form.action;
      const input = {
        action,
        reviewer,
        draftHash: form.draftHash,
        text: action === 'edit' ? form.text : undefined,
        reasonCode: form.reasonCode || undefined,
        reason: form.reason?.trim() || undefined,
      };
      const decided = form.itemId ? await decideItem(approvalId, form.itemId, input, 'review_link') : await decide(approvalId, input, 'review_link');
      const resumed = decided.status !== 'pending';
      return c.html(messagePage('Thank you', `Your decision is recorded${resumed ? ' and the run has resumed' : '; the run resumes when the other decisions are in'}.`));
    } catch (err) {
      if (!(err instanceof HandrailError)) throw err;
      return htmlError(c, err);
    }
  });
