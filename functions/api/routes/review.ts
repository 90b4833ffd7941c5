/**
 * GET /review/{token}: the page a reviewer opens from an email or Slack link.
 * POST /review/{token}: the form on that page. The token is checked before anything is read.
 * A sensitive step (`signIn: required`) also wants the browser's session, signed in as the link's
 * reviewer: no session → off to sign in and back; someone else → 403 page; the form's Origin must
 * be this site. Errors are answered as pages by the app's error handler (api/errors.ts).
 */
import type { Context } from 'hono';
import { decide } from '../../approvals/decide.js';
import { decideItem } from '../../approvals/decide-item.js';
import { inboxPathFor } from '../../approvals/inbox-link.js';
import { getApproval, type ApprovalRecord, type DecisionAuth } from '../../records/approvals.js';
import { recordAudit } from '../../records/audit.js';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../../shared/errors.js';
import { isId } from '../../shared/ids.js';
import { verifyReviewToken } from '../../shared/review-link.js';
import { signingSecret } from '../../shared/signing-secret.js';
import { assertActive } from '../authorize.js';
import { pageSession } from '../page-session.js';
import type { RouteHandlers } from '../route-handlers.js';
import { ROUTES, schemas, type RouteSpec } from '../route-table.js';
import { requireSameOrigin } from '../same-origin.js';
import { parseOrThrow } from '../validate.js';
import { formOf } from './form-body.js';
import { messagePage, reviewerBar, reviewPage } from './review-page.js';
import { signInPath, wrongPersonPage } from './sign-in-pages.js';

async function claims(c: Context) {
  const token = c.req.param('token') ?? '';
  if (!isId('linkToken', token)) throw new ForbiddenError('This review link is not valid.');
  const claims = verifyReviewToken(await signingSecret(), token);
  await assertActive(c, claims.reviewer);
  return claims;
}

const LINK_ONLY: DecisionAuth = { method: 'review_link', signedIn: false };
const LINK_AND_SESSION: DecisionAuth = { method: 'review_link+session', signedIn: true };

/**
 * For a sensitive step: undefined when the browser is signed in as the link's reviewer, else the
 * answer to give instead (sign in first, or the wrong-person page).
 */
async function signInGate(c: Context, route: RouteSpec, approval: ApprovalRecord, reviewer: string): Promise<Response | undefined> {
  const session = await pageSession(c, route);
  if (!session) {
    // A form cannot be replayed after a round trip to the issuer: sign in, then decide again.
    if (route.method === 'POST') throw new UnauthorizedError('This step needs a sign-in, and your session has ended: open your review link again to sign in, then decide.');
    return c.redirect(signInPath(c.req.path), 302);
  }
  if (session.id === reviewer) return undefined;
  await recordAudit({ subject: approval.runId, runId: approval.runId, type: 'review_link.denied', actor: session.id, details: { approvalId: approval.approvalId, reason: 'signed_in_as_another_person', reviewer } });
  return c.html(wrongPersonPage(session.id, reviewer, c.req.path), 403);
}

export const reviewRoutes: RouteHandlers<'reviewPage' | 'reviewForm'> = {
  reviewPage: async (c) => {
    const { approvalId, reviewer } = await claims(c);
    const approval = await getApproval(approvalId);
    if (!approval) throw new NotFoundError('This approval no longer exists.');
    const sensitive = approval.signIn === 'required';
    const refused = sensitive ? await signInGate(c, ROUTES.reviewPage, approval, reviewer) : undefined;
    return refused ?? c.html(reviewPage(approval, reviewer, sensitive, await inboxPathFor(reviewer)));
  },
  reviewForm: async (c) => {
    const { approvalId, reviewer } = await claims(c).catch(async (err: unknown) => {
      if (err instanceof ForbiddenError) await recordAudit({ subject: 'review-links', type: 'review_link.denied', actor: 'unknown', details: { reason: err.message } });
      throw err;
    });
    const form = parseOrThrow(schemas.reviewForm, await formOf(c), 'form');
    const original = await getApproval(approvalId);
    const sensitive = original?.signIn === 'required';
    if (sensitive) {
      requireSameOrigin(c);
      const refused = await signInGate(c, ROUTES.reviewForm, original, reviewer);
      if (refused) return refused;
    }
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
    const auth = sensitive ? LINK_AND_SESSION : LINK_ONLY;
    const decided = form.itemId ? await decideItem(approvalId, form.itemId, input, 'review_link', auth) : await decide(approvalId, input, 'review_link', auth);
    const resumed = decided.status !== 'pending';
    return c.html(messagePage('Thank you', `Your decision is recorded${resumed ? ' and the run has resumed' : '; the run resumes when the other decisions are in'}.`, reviewerBar(reviewer, await inboxPathFor(reviewer))));
  },
};
