import { describe, expect, it } from 'vitest';
import { parseOrThrow } from '../../functions/api/validate.js';
import { DEFAULT_STRING_MAX_LENGTH, inputSchemaFor } from '../../state-machines/input-schema.js';
import { parseWorkflow } from '../../state-machines/load-workflow.js';

const workflow = (extra = '') =>
  parseWorkflow(
    `
id: demo
name: Demo
input:
  subject: { type: string, required: true }
  note: { type: string, maxLength: 50000 }
${extra}
steps:
  - id: draft
    kind: generate
    prompt: "{{input.subject}}"
    models: [{ provider: offline }]
`,
    'demo.yaml',
  ).definition;

describe('inputSchemaFor', () => {
  it('rejects fields the workflow does not declare by default, naming the field', () => {
    // Prepare
    const schema = inputSchemaFor(workflow());
    // Act
    const act = () => parseOrThrow(schema, { subject: 'Hi', ticket_url: 'https://x' }, 'body');
    // Assess
    expect(workflow().additionalFields).toBe('reject');
    expect(act).toThrow(/^body\.ticket_url: not a field this accepts$/);
  });

  it('drops undeclared fields with additionalFields: drop, keeping the declared ones', () => {
    const schema = inputSchemaFor(workflow('additionalFields: drop'));
    expect(parseOrThrow(schema, { subject: 'Hi', tags: ['a'], via: { channel: 'web' } }, 'body')).toEqual({ subject: 'Hi' });
  });

  it('refuses an additionalFields value it does not know', () => {
    expect(() => workflow('additionalFields: keep')).toThrow(/additionalFields/);
  });

  it(`caps a string field without maxLength at ${DEFAULT_STRING_MAX_LENGTH} characters; a declared maxLength wins`, () => {
    const schema = inputSchemaFor(workflow());
    expect(() => parseOrThrow(schema, { subject: 'x'.repeat(DEFAULT_STRING_MAX_LENGTH + 1) }, 'body')).toThrow(/^body\.subject: /);
    expect(parseOrThrow(schema, { subject: 'x'.repeat(DEFAULT_STRING_MAX_LENGTH), note: 'y'.repeat(30_000) }, 'body')).toMatchObject({ note: 'y'.repeat(30_000) });
  });
});
