import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseDefinition } from '../../../local/stepfunctions/definition.js';
import { acceptedBefore } from '../../../local/stepfunctions/validated-definitions.js';

const VALIDATION = { checkArn: false, checkPaths: true };

/** A definition no earlier test run can have remembered (its Comment is new). */
function freshDefinition(extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ Comment: randomUUID(), StartAt: 'Done', States: { Done: { Type: 'Pass', End: true, ...extra } } });
}

describe('validated definitions', () => {
  it('remembers a definition the validator accepted, by its exact text', () => {
    const text = freshDefinition();
    expect(acceptedBefore(text, VALIDATION)).toBe(false);
    parseDefinition(text);
    expect(acceptedBefore(text, VALIDATION)).toBe(true);
    // Another text (one space more) or other options are not the same definition.
    expect(acceptedBefore(`${text} `, VALIDATION)).toBe(false);
    expect(acceptedBefore(text, { ...VALIDATION, checkArn: true })).toBe(false);
  });

  it('never remembers one it refused: the error comes from the validator every time', () => {
    const text = freshDefinition({ ResultPath: 'not a path' });
    for (let i = 0; i < 2; i++) expect(() => parseDefinition(text)).toThrow(expect.objectContaining({ name: 'InvalidDefinition' }));
    expect(acceptedBefore(text, VALIDATION)).toBe(false);
  });

  it('parses a remembered definition as it parsed it the first time', () => {
    const text = freshDefinition();
    const first = parseDefinition(text);
    const again = parseDefinition(text);
    expect(again.definitionText).toBe(first.definitionText);
    expect(again.tasks).toEqual(first.tasks);
    expect(again.definition.StartAt).toBe('Done');
  });
});
