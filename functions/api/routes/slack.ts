/**
 * Slack's Request URLs. POST /slack/interactions: the app's Interactivity Request URL (buttons and
 * modals of approval messages, and message shortcuts that start a run); POST /slack/commands: the
 * Request URL of its slash commands (each starts a run of the workflow whose `trigger.slack`
 * declares it). The signature is verified on the raw body before anything is parsed; a bad, stale or
 * replayed request gets 401 and changes nothing; a payload that is not Slack's gets 400 naming the field.
 */
import { checkInputReviewers } from '../../approvals/input-reviewer.js';
import { directory } from '../../approvals/directory.js';
import { channelSecrets } from '../../notifications/channel-config.js';
import { handleSlackInteraction } from '../../notifications/slack-interactions.js';
import { verifySlackRequest } from '../../notifications/slack-signature.js';
import { startRun } from '../../runs/start-run.js';
import { UnauthorizedError, ValidationError } from '../../shared/errors.js';
import { logger } from '../../shared/logger.js';
import { workflowRegistry } from '../../shared/workflow-registry.js';
import { postResponseUrl } from '../../triggers/slack-ack.js';
import {
  commandInvocation,
  ephemeral,
  messageShortcutSchema,
  shortcutInvocation,
  slackInput,
  slashCommandSchema,
  SlackTriggerRefusal,
  startedText,
  workflowForInvocation,
  type SlackInvocation,
} from '../../triggers/slack-trigger.js';
import { checkJsonLimits } from '../json-limits.js';
import { JSON_LIMITS } from '../limits.js';
import type { RouteHandlers } from '../route-handlers.js';
import { parseOrThrow } from '../validate.js';

/** The raw body, once Slack's signature over it is checked (401 otherwise). */
async function signedBody(c: { req: { text(): Promise<string>; header(name: string): string | undefined } }): Promise<string> {
  const rawBody = await c.req.text();
  const secret = (await channelSecrets()).slackSigningSecret;
  if (!secret) throw new UnauthorizedError('Slack is not configured here (no signing secret), so no Slack request can be verified');
  try {
    await verifySlackRequest(secret, { timestamp: c.req.header('x-slack-request-timestamp'), signature: c.req.header('x-slack-signature'), rawBody });
  } catch (err) {
    if (err instanceof UnauthorizedError) logger.warn('Slack request refused', { reason: err.message });
    throw err;
  }
  return rawBody;
}

/**
 * Starts the run a command or shortcut asks for; what Slack shows the person who used it, only to
 * them. A refusal (no text, a Slack user the directory does not know, an input the workflow refuses)
 * starts nothing and says what to fix.
 */
async function startFromSlack(invocation: SlackInvocation): Promise<{ response_type: 'ephemeral'; text: string }> {
  const workflow = workflowForInvocation(workflowRegistry().values(), invocation);
  if (!workflow) {
    const names = [...workflowRegistry().values()].flatMap((w) => (w.definition.trigger.slack ? [invocation.kind === 'command' ? w.definition.trigger.slack.command : w.definition.trigger.slack.shortcut] : [])).filter(Boolean);
    return ephemeral(`No workflow here starts from the ${invocation.kind} ${invocation.name}${names.length ? ` (the ${invocation.kind}s here: ${names.join(', ')})` : ''}.`);
  }
  try {
    const mapped = slackInput(workflow.definition, invocation, directory());
    const input = parseOrThrow(workflow.inputSchema, mapped, 'input') as Record<string, unknown>;
    checkInputReviewers(workflow.definition, input, 'input');
    // Slack's trigger_id is one per use of the command: a retried request starts the run once.
    const { runId, duplicate } = await startRun(workflow, input, invocation.triggerId ? `slack:${invocation.triggerId}` : undefined);
    logger.info('run started from Slack', { workflowId: workflow.definition.id, runId, kind: invocation.kind, name: invocation.name });
    return ephemeral(startedText(workflow.definition, runId, duplicate));
  } catch (err) {
    if (err instanceof SlackTriggerRefusal || err instanceof ValidationError) return ephemeral(`Nothing was started: ${err.message}`);
    throw err;
  }
}

const formFields = (rawBody: string) => Object.fromEntries(new URLSearchParams(rawBody));

export const slackRoutes: RouteHandlers<'slackInteractions' | 'slackCommands'> = {
  slackInteractions: async (c) => {
    const rawBody = await signedBody(c);
    const payload = new URLSearchParams(rawBody).get('payload');
    if (!payload) throw new ValidationError('payload: expected a form field payload=<JSON>', 'payload');
    let json: unknown;
    try {
      json = JSON.parse(payload);
    } catch {
      throw new ValidationError('payload: not valid JSON', 'payload');
    }
    checkJsonLimits(json, JSON_LIMITS.default, 'payload');
    if ((json as { type?: unknown } | null)?.type === 'message_action') {
      // A message shortcut: Slack ignores this answer's body, so the ack goes to its response_url.
      const invocation = shortcutInvocation(parseOrThrow(messageShortcutSchema, json, 'payload'));
      const reply = await startFromSlack(invocation);
      if (invocation.responseUrl) await postResponseUrl(invocation.responseUrl, reply);
      return c.body(null, 200);
    }
    const reply = await handleSlackInteraction(json);
    return reply ? c.json(reply) : c.body(null, 200);
  },
  slackCommands: async (c) => {
    const rawBody = await signedBody(c);
    const form = parseOrThrow(slashCommandSchema, formFields(rawBody), 'body');
    // Answered at once (Slack waits 3 s): the run goes on without this request.
    return c.json(await startFromSlack(commandInvocation(form)));
  },
};

