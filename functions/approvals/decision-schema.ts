/**
 * What a decision says, as zod schemas: apart from decide.ts so the route table (which every
 * function serving routes imports) does not bring the decision's whole machinery along.
 */
import * as z from 'zod';

const decisionFields = z
  .object({
    action: z.enum(['approve', 'edit', 'reject']),
    reviewer: z.string().trim().min(1, 'reviewer is required').max(320),
    /** The `draftHash` of the approval as the reviewer saw it. */
    draftHash: z.string().regex(/^[0-9a-f]{32}$/, 'draftHash: the draftHash of the approval you reviewed (GET /approvals/{id})'),
    text: z.string().trim().min(1, 'text must not be empty').max(20000).optional(),
    reasonCode: z.string().max(32).optional(),
    reason: z.string().trim().max(2000).optional(),
  })
  .strict();
const editHasText = (d: { action: string; text?: string }) => d.action !== 'edit' || Boolean(d.text);
const editNeedsText = { message: 'an edit needs the edited text', path: ['text'] };

export const decisionSchema = decisionFields.refine(editHasText, editNeedsText);
/** A decision as a client sends it: who decides comes from its credentials, never the body. */
export const decisionBodySchema = decisionFields.omit({ reviewer: true }).refine(editHasText, editNeedsText);

