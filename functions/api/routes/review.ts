/**
 * GET /review/{token}: the page a reviewer opens from an email or Slack link.
 * POST /review/{token}: the form on that page. The token is checked before anything is read.
 * Errors are answered as pages by the app's error handler (api/errors.ts).
 */
import type { Context } from 'hono';
import { decide } from '../../approvals/decide.js';
import { decideItem } from '../../approvals/decide-item.js';
import { getApproval } from '../../records/approvals.js';
import { recordAudit } from '../../records/audit.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../shared/errors.js';
import { isId } from '../../shared/ids.js';
import { verifyReviewToken } from '../../shared/review-link.js';
import { signingSecret } from '../../shared/signing-secret.js';
import { assertActive } from '../authorize.js';
import { isClientAbort } from '../client-abort.js';
import type { RouteHandlers } from '../route-handlers.js';
import { schemas } from '../route-table.js';
import { parseOrThrow } from '../validate.js';
import { messagePage, reviewPage } from './review-page.js';

async function claims(c: Context) {
  const token = c.req.param('token') ?? '';
  if (!isId('linkToken', token)) throw new ForbiddenError('This review link is not valid.');
  const claims = verifyReviewToken(await signingSecret(), token);
  await assertActive(c, claims.reviewer);
  return claims;
}

/** The posted form; a body that is not one (e.g. multipart without a boundary) is a 400 page. */
async function formOf(c: Context): Promise<unknown> {
  try {
    return await c.req.parseBody();
  } catch (err) {
    if (isClientAbort(err, c)) throw err;
    throw new ValidationError('form: the request body is not a form this page sends', 'form');
  }
}

export const reviewRoutes: RouteHandlers<'reviewPage' | 'reviewForm'> = {
  reviewPage: async (c) => {
    const { approvalId, reviewer } = await claims(c);
    const approval = await getApproval(approvalId);
    if (!approval) throw new NotFoundError('This approval no longer exists.');
    return c.html(reviewPage(approval, reviewer));
  },
  reviewForm: async (c) => {
    const { approvalId, reviewer } = await claims(c).catch(async (err: unknown) => {
      if (err instanceof ForbiddenError) await recordAudit({ subject: 'review-links', type: 'review_link.denied', actor: 'unknown', details: { reason: err.message } });
      throw err;
    });
    const form = parseOrThrow(schemas.reviewForm, await formOf(c), 'form');
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
  },
};
