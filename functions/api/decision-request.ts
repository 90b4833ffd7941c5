/**
 * Reads a decision request: who decides is the signed-in caller (authorize.ts), never the body; a
 * body that names someone else is refused.
 */
import type { Context } from 'hono';
import { decisionSchema, type DecisionInput } from '../approvals/decide.js';
import type { Caller } from '../auth/caller.js';
import type { DecisionAuth } from '../records/approvals.js';
import { ForbiddenError } from '../shared/errors.js';
import { jsonBody, parseOrThrow } from './validate.js';

export async function decisionBy(c: Context, caller: Caller): Promise<DecisionInput> {
  const body = await jsonBody(c);
  const claimed = (body as { reviewer?: unknown } | null)?.reviewer;
  if (claimed !== undefined && claimed !== caller.id) throw new ForbiddenError(`You are signed in as ${caller.id} and cannot decide as ${String(claimed)}`);
  return parseOrThrow(decisionSchema, { ...(body as object), reviewer: caller.id }, 'body');
}

/** How an API caller proved who they are: an ID token is a sign-in; a personal token is not (it is long-lived and made for scripts). */
export function decisionAuthOf(caller: Caller): DecisionAuth {
  return caller.via === 'id-token' ? { method: 'id_token', signedIn: true } : { method: 'reviewer_token', signedIn: false };
}
