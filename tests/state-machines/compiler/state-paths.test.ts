/**
 * The execution state keeps only what Choice states read: every Choice rule's Variable in every
 * compiled workflow must be an input path the run starts with or an output path its step keeps.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileWorkflow, statePathsRead, type TaskState } from '../../../state-machines/compiler/index.js';
import { loadDirectory } from '../../../state-machines/directory.js';
import { loadWorkflows } from '../../../state-machines/load-workflow.js';

const directory = loadDirectory();
const fixtureDirs = readdirSync('tests/fixtures', { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name.endsWith('workflows'))
  .map((d) => join('tests/fixtures', d.name));
const workflows = [undefined, ...fixtureDirs].flatMap((dir) => loadWorkflows(dir)).map((w) => [w.definition.id, w.definition] as const);

function variables(rule: unknown): string[] {
  if (!rule || typeof rule !== 'object') return [];
  const r = rule as Record<string, unknown>;
  return [
    ...(typeof r.Variable === 'string' ? [r.Variable] : []),
    ...[r.And, r.Or].flatMap((list) => (Array.isArray(list) ? list.flatMap(variables) : [])),
    ...variables(r.Not),
  ];
}

const choiceReads = (definition: ReturnType<typeof compileWorkflow>['definition']) =>
  Object.values(definition.States).flatMap((s) => (s.Type === 'Choice' ? s.Choices.flatMap(variables) : []));

describe('state paths', () => {
  it('the workflows checked read input fields, classifications, structured output and gate verdicts', () => {
    const read = workflows.flatMap(([, w]) => choiceReads(compileWorkflow(w, directory).definition));
    for (const kind of [/^\$\.input\./, /\.topic\.flags\./, /\.output\./, /\.gates\.failed$/]) expect(read.some((v) => kind.test(v)), String(kind)).toBe(true);
  });

  it.each(workflows)('%s: every value a Choice reads is in the state', (_id, workflow) => {
    const { definition } = compileWorkflow(workflow, directory);
    const paths = statePathsRead(workflow);
    const kept = (stepId: string) => ((definition.States[stepId] as TaskState | undefined)?.Parameters?.keep ?? []) as string[];
    for (const variable of choiceReads(definition)) {
      const [, root, id, ...rest] = variable.split('.');
      if (root === 'input') expect(paths.input, variable).toContain([id, ...rest].join('.'));
      else {
        expect(root, variable).toBe('steps');
        expect(kept(id!), variable).toContain(rest.join('.'));
      }
    }
  });

  it('support-reply keeps the classification fields triage reads and nothing of the passages or the draft', () => {
    const support = workflows.find(([id]) => id === 'support-reply')![1];
    expect(statePathsRead(support)).toEqual({
      input: ['priority'],
      steps: { classify_ticket: ['sentiment.label', 'topic.flags.compliance', 'topic.flags.legal', 'topic.flags.security'] },
    });
    const { definition } = compileWorkflow(support, directory);
    expect((definition.States.retrieve_context as TaskState).Parameters.keep).toEqual([]);
    expect((definition.States.draft_reply as TaskState).Parameters.keep).toEqual([]);
  });
});
