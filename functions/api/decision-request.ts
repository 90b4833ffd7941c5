/**
 * Reads a decision request: who decides comes from the reviewer token (`Authorization: Bearer`),
 * never from the body; a body that names someone else is refused.
 */
import type { Context } from 'hono';
import { decisionSchema, type DecisionInput } from '../approvals/decide.js';
import { reviewerFromAuthorization } from '../approvals/reviewer-tokens.js';
import { ForbiddenError } from '../shared/errors.js';
import { signingSecret } from '../shared/signing-secret.js';
import { jsonBody, parseOrThrow } from './validate.js';

export async function authorizedDecision(c: Context): Promise<DecisionInput> {
  const caller = reviewerFromAuthorization(await signingSecret(), c.req.header('authorization'));
  const body = await jsonBody(c);
  const claimed = (body as { reviewer?: unknown } | null)?.reviewer;
  if (claimed !== undefined && claimed !== caller) throw new ForbiddenError(`You are signed in as ${caller} and cannot decide as ${String(claimed)}`);
  return parseOrThrow(decisionSchema, { ...(body as object), reviewer: caller }, 'body');
}
