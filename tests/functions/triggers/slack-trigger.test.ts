/** Slack as a trigger: which workflow a command or shortcut starts, and how Slack fills its input. */
import { describe, expect, it } from 'vitest';
import { authenticateTrigger } from '../../../functions/triggers/authenticate-trigger.js';
import { loadDirectory } from '../../../state-machines/directory.js';
import { loadWorkflows } from '../../../state-machines/load-workflow.js';
import {
  commandInvocation,
  messageShortcutSchema,
  shortcutInvocation,
  slackInput,
  slashCommandSchema,
  SlackTriggerRefusal,
  workflowForInvocation,
} from '../../../functions/triggers/slack-trigger.js';

const directory = loadDirectory();
const workflows = loadWorkflows();
const notes = workflows.find((w) => w.definition.id === 'meeting-notes')!;

const form = { command: '/handrail-notes', text: '  Ana will ship it.  ', user_id: 'U0SUPPLEAD', channel_id: 'C0SYNC', trigger_id: 't-1', response_url: 'https://hooks.slack.com/commands/T/1' };

describe('Slack trigger', () => {
  it('finds the workflow that declares the command or the shortcut (and only one that takes Slack)', () => {
    expect(workflowForInvocation(workflows, { kind: 'command', name: '/handrail-notes' })?.definition.id).toBe('meeting-notes');
    expect(workflowForInvocation(workflows, { kind: 'shortcut', name: 'handrail_notes' })?.definition.id).toBe('meeting-notes');
    expect(workflowForInvocation(workflows, { kind: 'shortcut', name: '/handrail-notes' })).toBeUndefined();
    expect(workflowForInvocation(workflows, { kind: 'command', name: '/other' })).toBeUndefined();
  });

  it('fills the input: the text (trimmed), the channel, and the directory user behind the Slack user', () => {
    const invocation = commandInvocation(slashCommandSchema.parse(form));
    expect(slackInput(notes.definition, invocation, directory)).toEqual({ transcript: 'Ana will ship it.', channel: 'C0SYNC', owner: 'support-lead@example.com' });
    const shortcut = shortcutInvocation(messageShortcutSchema.parse({ type: 'message_action', callback_id: 'handrail_notes', user: { id: 'U0SALESREP' }, channel: { id: 'G0PRIVATE' }, message: { text: 'Bo will call.' } }));
    expect(slackInput(notes.definition, shortcut, directory)).toEqual({ transcript: 'Bo will call.', channel: 'G0PRIVATE', owner: 'sales-rep@example.com' });
  });

  it('refuses, for the user to fix, an empty text and a Slack user the directory does not know', () => {
    expect(() => slackInput(notes.definition, commandInvocation(slashCommandSchema.parse({ ...form, text: ' ' })), directory)).toThrow(SlackTriggerRefusal);
    expect(() => slackInput(notes.definition, commandInvocation(slashCommandSchema.parse({ ...form, user_id: 'U0NOBODY' })), directory)).toThrow(/not in Handrail's reviewer directory/);
  });

  it.each([
    ['a user id that is not Slack\'s', { user_id: 'lee' }, 'user_id'],
    ['a channel name instead of its id', { channel_id: '#general' }, 'channel_id'],
    ['a command with a space', { command: '/handrail notes' }, 'command'],
    ['a response_url that is not a URL', { response_url: 'hooks' }, 'response_url'],
  ])('reads a command form with %s as invalid, naming the field', (_case, change, field) => {
    const parsed = slashCommandSchema.safeParse({ ...form, ...change });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.path).toEqual([field]);
  });

  it('refuses a webhook call to a workflow that starts only from Slack, saying where it starts', async () => {
    const slackOnly = { id: 'notes', trigger: { auth: ['slack' as const], slack: { command: '/notes', input: {} } } };
    const req = { header: () => undefined, rawBody: '{}', method: 'POST', url: 'http://localhost/webhooks/notes' };
    await expect(authenticateTrigger(slackOnly, req)).rejects.toThrow('Workflow notes starts only from Slack: its slash command or message shortcut (trigger.slack), at /slack/commands or /slack/interactions');
  });
});
