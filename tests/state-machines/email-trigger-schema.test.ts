import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../infra/project-root.js';
import { loadStageConfig } from '../../infra/stage-config.js';
import { loadWorkflows, parseWorkflow } from '../../state-machines/load-workflow.js';

const support = readFileSync(join(projectRoot, 'state-machines/workflows/support-reply.yaml'), 'utf8');

describe('trigger.email and deliver email (workflow schema)', () => {
  it('support-reply maps the message to its input and replies by email', () => {
    const { definition } = parseWorkflow(support, 'support-reply.yaml');
    expect(definition.trigger.email?.input).toEqual({ ticketId: 'messageId', messageId: 'messageId', references: 'references', subject: 'subject', body: 'text', customerEmail: 'from' });
    const send = definition.steps.find((s) => s.id === 'send_reply');
    expect(send).toMatchObject({ kind: 'deliver', email: { to: 'customerEmail', subject: 'subject', inReplyTo: 'messageId', references: 'references' } });
  });

  it.each([
    ['an input field the workflow does not declare', support.replace('customerEmail: from }', 'customerEmail: from, sender: from }'), /trigger\.email\.input\.sender: no input field sender/],
    ['a part of the message that does not exist', support.replace('body: text,', 'body: attachments,'), /trigger\.email\.input\.body/],
    ['an empty mapping', support.replace(/input: \{ ticketId: messageId.*\}/, 'input: {}'), /map at least one input field/],
    ['an unknown key of deliver email', support.replace('inReplyTo: messageId, references', 'inReplyTo: messageId, cc: x, references'), /send_reply|email|cc/],
  ])('refuses %s, naming it', (_what, yaml, message) => {
    expect(() => parseWorkflow(yaml, 'support-reply.yaml')).toThrow(message);
  });
});

describe('stages.yaml email', () => {
  const workflows = loadWorkflows();
  const file = (yaml: string) => {
    const f = join(mkdtempSync(join(tmpdir(), 'stages-email-')), 'stages.yaml');
    writeFileSync(f, yaml);
    return f;
  };

  it('takes receiving addresses, the reply sender and how long messages are kept', () => {
    const config = loadStageConfig('local', workflows, file('local:\n  email:\n    from: support@acme.example\n    receive: [{ address: support@acme.example, workflow: support-reply }]\n'));
    expect(config.email).toEqual({ from: 'support@acme.example', receive: [{ address: 'support@acme.example', workflow: 'support-reply' }], keepDays: 30 });
  });

  it.each([
    ['a workflow that does not exist', 'receive: [{ address: a@acme.example, workflow: nope }]', /local\.email\.receive\.0\.workflow: no workflow nope/],
    ['a workflow without trigger.email', 'receive: [{ address: a@acme.example, workflow: sales-outreach }]', /workflow sales-outreach declares no trigger\.email/],
    ['an address twice', 'receive: [{ address: a@acme.example, workflow: support-reply }, { address: A@acme.example, workflow: support-reply }]', /each receiving address once/],
    ['no address', 'receive: []', /email\.receive/],
    ['a sender that is no address', 'receive: [{ address: a@acme.example, workflow: support-reply }]\n    from: nobody', /email\.from/],
  ])('refuses %s, naming the key', (_what, receive, message) => {
    const yaml = receive.includes('from:') ? `local:\n  email:\n    ${receive}\n` : `local:\n  email:\n    from: support@acme.example\n    ${receive}\n`;
    expect(() => loadStageConfig('local', workflows, file(yaml))).toThrow(message);
  });
});
