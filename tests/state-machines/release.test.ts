/** A release's id is its manifest's hash: what shapes behaviour changes it, nothing else does; diffs say what changed, by area. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { yamlParser } from '../../functions/shared/lazy-yaml.js';
import { readPriceTable } from '../../functions/usage/price-table.js';
import { PRICE_TABLE_FILE } from '../../infra/constructs/json-assets.js';
import { loadDirectory } from '../../state-machines/directory.js';
import { defaultWorkflowsDir, loadWorkflows, validateWorkflow, type LoadedWorkflow } from '../../state-machines/load-workflow.js';
import { diffReleases, formatReleaseDiff } from '../../state-machines/release-diff.js';
import { buildIdOf, releaseOf, type ReleaseInputs } from '../../state-machines/release.js';

const workflow = loadWorkflows().find((w) => w.definition.id === 'support-reply')!;
const inputs: ReleaseInputs = { directory: loadDirectory(), prices: readPriceTable(PRICE_TABLE_FILE), delivery: { SUPPORT_REPLY_URL: 'https://helpdesk.example.com/replies' } };
const base = releaseOf(workflow, inputs);

/** The workflow with its definition changed by `change` (a deep copy, validated again). */
function changed(change: (d: any) => void): LoadedWorkflow {
  const definition = structuredClone(workflow.definition) as any;
  change(definition);
  return validateWorkflow(definition, 'support-reply.yaml');
}
const draftStep = (d: any) => d.steps.find((s: { id: string }) => s.id === 'draft_reply');

describe('builds (what a promotion compares)', () => {
  it('are the same for the releases of two stages that differ only by their delivery URLs', () => {
    const staging = releaseOf(workflow, { ...inputs, delivery: { SUPPORT_REPLY_URL: 'https://helpdesk.staging.example.com/replies' } });
    expect(staging.releaseId).not.toBe(base.releaseId);
    expect(buildIdOf(staging.manifest)).toBe(buildIdOf(base.manifest));
    expect(buildIdOf(base.manifest)).toMatch(/^[0-9a-f]{16}$/);
  });

  it.each([
    ['a prompt', () => releaseOf(changed((d) => (draftStep(d).prompt += '\nBe brief.')), inputs)],
    ['who is in a reviewer group', () => releaseOf(workflow, { ...inputs, directory: { ...inputs.directory, groups: { ...inputs.directory.groups, policy: ['policy-officer@example.com'] } } })],
    ['the promotion rule', () => releaseOf(changed((d) => (d.release = { promotion: { minRuns: 5 } })), inputs)],
  ])('differ when %s changes', (_what, release) => {
    expect(buildIdOf(release().manifest)).not.toBe(buildIdOf(base.manifest));
  });
});

describe('release ids', () => {
  it('are stable for the same inputs, in any key order, and shaped rel-<16 hex>', () => {
    expect(base.releaseId).toMatch(/^rel-[0-9a-f]{16}$/);
    expect(releaseOf(workflow, { ...inputs, directory: JSON.parse(JSON.stringify(inputs.directory)) }).releaseId).toBe(base.releaseId);
    expect(base.manifest).toMatchObject({ workflowId: 'support-reply', workflowVersion: workflow.version, knowledge: { support: 'latest' }, delivery: { SUPPORT_REPLY_URL: 'https://helpdesk.example.com/replies' } });
    expect(base.manifest.groups.policy).toEqual(inputs.directory.groups.policy);
    expect(base.manifest.prices['openai/gpt-4o-mini']).toEqual(inputs.prices.openai!['gpt-4o-mini']);
  });

  it.each([
    ['a prompt', () => releaseOf(changed((d) => (draftStep(d).prompt += '\nBe brief.')), inputs)],
    ['who is in a reviewer group', () => releaseOf(workflow, { ...inputs, directory: { ...inputs.directory, groups: { ...inputs.directory.groups, policy: ['policy-officer@example.com'] } } })],
    ['the stage delivery URL', () => releaseOf(workflow, { ...inputs, delivery: { SUPPORT_REPLY_URL: 'https://other.example.com' } })],
    ['the price of a model it names', () => releaseOf(workflow, { ...inputs, prices: { ...inputs.prices, openai: { ...inputs.prices.openai, 'gpt-4o-mini': { input: 1, output: 2 } } } })],
  ])('change when %s changes', (_what, release) => {
    expect(release().releaseId).not.toBe(base.releaseId);
  });

  it('stay the same for comments and key order in the workflow file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'release-order-'));
    const text = readFileSync(join(defaultWorkflowsDir, 'support-reply.yaml'), 'utf8');
    const doc = yamlParser().parseDocument(text);
    // Every mapping's keys reversed, and a comment added.
    yamlParser().visit(doc, { Map: (_key, map) => void map.items.reverse() });
    writeFileSync(join(dir, 'support-reply.yaml'), `# reordered\n${doc.toString()}`);
    const reordered = loadWorkflows(dir)[0]!;
    expect(readFileSync(join(dir, 'support-reply.yaml'), 'utf8')).not.toBe(text);
    expect(releaseOf(reordered, inputs).releaseId).toBe(base.releaseId);
  });

  it.each([
    ['the price of a model it does not name', () => releaseOf(workflow, { ...inputs, prices: { ...inputs.prices, openai: { ...inputs.prices.openai, 'some-other-model': { input: 1, output: 2 } } } })],
    ["a reviewer's Slack id", () => releaseOf(workflow, { ...inputs, directory: { ...inputs.directory, users: { ...inputs.directory.users, 'support-agent@example.com': { ...inputs.directory.users['support-agent@example.com']!, slackUserId: 'U0CHANGED' } } } })],
  ])('stay the same when %s changes', (_what, release) => {
    expect(release().releaseId).toBe(base.releaseId);
  });
});

describe('release diffs', () => {
  it('show a prompt change as a line diff, and a model and a group change by area', () => {
    const next = releaseOf(
      changed((d) => {
        draftStep(d).prompt = draftStep(d).prompt.replace('{{input.body}}', '{{input.body}}\n\nAnswer in two sentences.');
        draftStep(d).models[1].model = 'gpt-4o';
      }),
      { ...inputs, directory: { ...inputs.directory, groups: { ...inputs.directory.groups, policy: ['policy-officer@example.com'] } } },
    );
    const changes = diffReleases(base.manifest, next.manifest);
    expect(changes.map((c) => [c.area, c.path])).toEqual([
      ['prompt', 'steps.draft_reply.prompt'],
      ['model', 'steps.draft_reply.models.1.model'],
      ['reviewers', 'groups.policy'],
      ['prices', 'prices.openai/gpt-4o'],
      ['prices', 'prices.openai/gpt-4o-mini'],
    ]);
    expect(changes[0]!.patch).toContain('+Answer in two sentences.');
    const text = formatReleaseDiff(base, next, changes);
    expect(text).toContain(`${base.releaseId} → ${next.releaseId}: 5 change(s)`);
    expect(text).toContain('steps.draft_reply.models.1.model: "gpt-4o-mini" → "gpt-4o"');
    expect(text).toContain('prices.openai/gpt-4o: (none) → {"input"');
    expect(formatReleaseDiff(base, base, diffReleases(base.manifest, base.manifest))).toBe(`${base.releaseId} → ${base.releaseId}: no change`);
  });
});
