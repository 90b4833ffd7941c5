/**
 * zod schemas of the Slack interaction payloads Handrail acts on (block_actions from the request
 * message, view_submission from its modals). Slack sends many more fields; only these are read,
 * and only after the request's signature was verified.
 */
import * as z from 'zod';
import { ID_SHAPES } from '../shared/ids.js';

const slackUser = z.object({ id: z.string().min(1) }).passthrough();

/** The approval a button or modal refers to (button `value`, modal `private_metadata`). */
export const approvalRefSchema = z.object({
  approvalId: z.string().regex(ID_SHAPES.approvalId),
  draftHash: z.string().regex(/^[0-9a-f]{32}$/),
});
export type ApprovalRef = z.infer<typeof approvalRefSchema>;

const jsonOf = <T extends z.ZodType>(schema: T) =>
  z.string().transform((text, ctx): z.infer<T> => {
    try {
      return schema.parse(JSON.parse(text));
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not a Handrail approval reference' });
      return z.NEVER;
    }
  });

export const blockActionsSchema = z
  .object({
    type: z.literal('block_actions'),
    user: slackUser,
    trigger_id: z.string().min(1).optional(),
    actions: z
      .array(z.object({ action_id: z.string(), value: z.string().max(2000).optional() }).passthrough())
      .min(1),
  })
  .passthrough();

const stateValue = z
  .object({
    value: z.string().nullish(),
    selected_option: z.object({ value: z.string() }).passthrough().nullish(),
  })
  .passthrough();

export const viewSubmissionSchema = z
  .object({
    type: z.literal('view_submission'),
    user: slackUser,
    view: z
      .object({
        callback_id: z.string(),
        private_metadata: jsonOf(approvalRefSchema),
        state: z.object({ values: z.record(z.string(), z.record(z.string(), stateValue)) }),
      })
      .passthrough(),
  })
  .passthrough();

/**
 * The envelope: its `type` picks the schema. Other types (view_closed, shortcuts…) are
 * acknowledged and never acted on; a block_actions that fails its schema is refused, not ignored.
 */
export const interactionTypeSchema = z.object({ type: z.string().min(1) }).passthrough();
export type BlockActions = z.infer<typeof blockActionsSchema>;
export type ViewSubmission = z.infer<typeof viewSubmissionSchema>;

export function parseButtonValue(value: string | undefined): ApprovalRef | undefined {
  if (!value) return undefined;
  const parsed = jsonOf(approvalRefSchema).safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** A modal field's submitted value: `block_id` and `action_id` are the same in Handrail's modals. */
export function fieldValue(view: ViewSubmission['view'], field: string): string | undefined {
  const entry = view.state.values[field]?.[field];
  const value = entry?.selected_option?.value ?? entry?.value ?? undefined;
  return value?.trim() ? value : undefined;
}
