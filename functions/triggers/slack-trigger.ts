/**
 * Slack as a trigger (`trigger.auth: [slack]`, `trigger.slack` in state-machines/schema.ts): a slash
 * command (`POST /slack/commands`, a form) or a message shortcut (`type: message_action` on
 * `POST /slack/interactions`) starts a run of the workflow that declares it. The request is signed by
 * the Slack app (notifications/slack-signature.ts, checked by the route before this is called); this
 * module reads what Slack sent (zod, 400 naming the field), finds the workflow, and fills its input
 * as `trigger.slack.input` says. What the person who used it must fix (an empty text, a Slack user
 * the reviewer directory does not know, an input the workflow refuses) is a SlackTriggerRefusal:
 * Slack shows it to them alone, and nothing starts.
 */
import * as z from 'zod';
import { reviewerBySlackUser, type Directory } from '../../state-machines/directory.js';
import type { SlackTriggerSource, Workflow } from '../../state-machines/schema.js';

const slackUserId = z.string().regex(/^[UW][A-Z0-9]{2,20}$/, 'a Slack user id such as U0123ABCD');
const slackChannelId = z.string().regex(/^[CDG][A-Z0-9]{2,20}$/, 'a Slack channel id such as C0123ABCD');
/** Slack's response URLs are https; the ack is posted there only when it is Slack's (or the stage's Slack stand-in). */
const responseUrl = z.string().url().max(2000);
const MAX_TEXT = 40_000;

/** The fields of a slash command's form Handrail reads (api.slack.com/interactivity/slash-commands). */
export const slashCommandSchema = z.object({
  command: z.string().regex(/^\/[^\s/]{1,32}$/, 'a slash command such as /handrail-notes'),
  text: z.string().max(MAX_TEXT).default(''),
  user_id: slackUserId,
  channel_id: slackChannelId,
  team_id: z.string().max(40).optional(),
  trigger_id: z.string().min(1).max(200).optional(),
  response_url: responseUrl.optional(),
});

/** The fields of a message shortcut's payload Handrail reads (api.slack.com/reference/interaction-payloads/shortcuts). */
export const messageShortcutSchema = z.object({
  type: z.literal('message_action'),
  callback_id: z.string().min(1).max(255),
  trigger_id: z.string().min(1).max(200).optional(),
  response_url: responseUrl.optional(),
  user: z.object({ id: slackUserId }),
  channel: z.object({ id: slackChannelId }),
  team: z.object({ id: z.string().max(40) }).optional(),
  message: z.object({ text: z.string().max(MAX_TEXT).default('') }),
});

/** A command or shortcut, as one shape. */
export interface SlackInvocation {
  readonly kind: 'command' | 'shortcut';
  /** The command (`/handrail-notes`) or the shortcut's callback id. */
  readonly name: string;
  readonly text: string;
  readonly channelId: string;
  readonly slackUserId: string;
  readonly triggerId?: string;
  readonly responseUrl?: string;
}

export function commandInvocation(form: z.infer<typeof slashCommandSchema>): SlackInvocation {
  return {
    kind: 'command',
    name: form.command,
    text: form.text.trim(),
    channelId: form.channel_id,
    slackUserId: form.user_id,
    ...(form.trigger_id ? { triggerId: form.trigger_id } : {}),
    ...(form.response_url ? { responseUrl: form.response_url } : {}),
  };
}

export function shortcutInvocation(payload: z.infer<typeof messageShortcutSchema>): SlackInvocation {
  return {
    kind: 'shortcut',
    name: payload.callback_id,
    text: payload.message.text.trim(),
    channelId: payload.channel.id,
    slackUserId: payload.user.id,
    ...(payload.trigger_id ? { triggerId: payload.trigger_id } : {}),
    ...(payload.response_url ? { responseUrl: payload.response_url } : {}),
  };
}

/** Something the person who used the command must fix; shown to them alone, nothing starts. */
export class SlackTriggerRefusal extends Error {
  override readonly name = 'SlackTriggerRefusal';
}

/** The workflow whose trigger declares this command or shortcut (and takes Slack). */
export function workflowForInvocation<W extends { definition: Pick<Workflow, 'trigger'> }>(workflows: Iterable<W>, invocation: Pick<SlackInvocation, 'kind' | 'name'>): W | undefined {
  for (const w of workflows) {
    const { trigger } = w.definition;
    if (!trigger.auth.includes('slack') || !trigger.slack) continue;
    if ((invocation.kind === 'command' ? trigger.slack.command : trigger.slack.shortcut) === invocation.name) return w;
  }
  return undefined;
}

/** The run's input, filled as `trigger.slack.input` says. @throws SlackTriggerRefusal */
export function slackInput(workflow: Pick<Workflow, 'trigger'>, invocation: SlackInvocation, directory: Directory): Record<string, unknown> {
  const mapping = workflow.trigger.slack?.input ?? {};
  const what = invocation.kind === 'command' ? `${invocation.name} needs some text (e.g. ${invocation.name} <the meeting transcript>)` : 'this message has no text to use';
  const value = (source: SlackTriggerSource): string => {
    switch (source) {
      case 'text':
        if (!invocation.text) throw new SlackTriggerRefusal(what);
        return invocation.text;
      case 'channel':
        return invocation.channelId;
      case 'slackUser':
        return invocation.slackUserId;
      case 'user': {
        const id = reviewerBySlackUser(directory, invocation.slackUserId);
        if (!id) throw new SlackTriggerRefusal(`Your Slack user (${invocation.slackUserId}) is not in Handrail's reviewer directory; ask an admin to add your slackUserId`);
        return id;
      }
    }
  };
  return Object.fromEntries(Object.entries(mapping).map(([field, source]) => [field, value(source)]));
}

/** What Slack shows the person who used the command: only to them (ephemeral). */
export function ephemeral(text: string): { response_type: 'ephemeral'; text: string } {
  return { response_type: 'ephemeral', text };
}

/** The acknowledgement of a started run. */
export function startedText(workflow: Pick<Workflow, 'name'>, runId: string, duplicate: boolean): string {
  return duplicate ? `${workflow.name} is already running for this request: run ${runId}.` : `Started ${workflow.name}: run ${runId}. Nothing is posted until it is approved.`;
}
