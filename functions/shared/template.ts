/**
 * Renders `{{input.subject}}` / `{{steps.draft_reply.text}}` placeholders from the run state.
 * Deliberately logic-less: a workflow author can insert data, never code.
 */
import type { StateData } from './step-contract.js';

function lookup(root: unknown, path: string[]): unknown {
  let current = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export function renderTemplate(template: string, state: Pick<StateData, 'input' | 'steps'>): string {
  return template.replace(/\{\{\s*((?:input|steps)(?:\.[A-Za-z0-9_]+)+)\s*\}\}/g, (_match, path: string) => {
    const value = lookup(state, path.split('.'));
    if (value === undefined || value === null) return '';
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}
