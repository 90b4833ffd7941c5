import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadDirectory } from '../../state-machines/directory.js';
import { loadWorkflowFile, loadWorkflows, parseWorkflow, WorkflowDefinitionError } from '../../state-machines/load-workflow.js';

const valid = `
id: demo
name: Demo
input:
  subject: { type: string, required: true }
steps:
  - id: draft
    kind: generate
    prompt: "{{input.subject}}"
    models: [{ provider: offline }]
  - id: review
    kind: approval
    draft: draft
    reviewers: [a@example.com]
  - id: send
    kind: deliver
    url: http://localhost:9/x
`;

const kbUpdate = `
id: demo
name: Demo
input:
  subject: { type: string, required: true }
steps:
  - id: find
    kind: retrieve
    collection: support
    query: "{{input.subject}}"
    wholeDocument: true
  - id: propose
    kind: generate
    revise: find
    prompt: "{{input.subject}}"
    models: [{ provider: offline }]
  - id: review
    kind: approval
    draft: propose
    reviewers: [a@example.com]
  - id: publish
    kind: deliver
    knowledge:
      collection: support
      documentFrom: propose
`;

const classify = (classifiers: string, extra = '') =>
  `  - id: triage\n    kind: classify\n    text: "{{input.subject}}"\n    classifiers: ${classifiers}\n${extra ? `    ${extra}\n` : ''}`;

function errorOf(text: string, file = 'demo.yaml'): WorkflowDefinitionError {
  try {
    parseWorkflow(text, file);
  } catch (err) {
    if (err instanceof WorkflowDefinitionError) return err;
    throw err;
  }
  throw new Error('expected a WorkflowDefinitionError');
}

describe('workflow definitions', () => {
  it('loads the shipped workflows with a stable content hash', () => {
    // Act
    const shipped = loadWorkflows();
    const first = shipped.find((w) => w.definition.id === 'support-reply');
    const again = loadWorkflowFile(first!.file);
    // Assess
    expect(shipped.map((w) => w.definition.id)).toEqual(['kb-update', 'meeting-notes', 'rfp-response', 'sales-outreach', 'support-reply']);
    expect(first!.version).toMatch(/^[0-9a-f]{16}$/);
    expect(again.version).toBe(first!.version);
  });

  it('applies defaults', () => {
    const wf = parseWorkflow(valid, 'demo.yaml').definition;
    expect(wf.steps[1]).toMatchObject({ kind: 'approval', timeout: '24h' });
    expect(wf.steps[2]).toMatchObject({ kind: 'deliver', text: 'approval', maxAttempts: 4 });
  });

  it.each([
    ['invalid YAML', 'id: [unclosed', /demo\.yaml: not valid YAML/],
    ['an unknown step kind', valid.replace('kind: deliver', 'kind: teleport'), /steps\.2\.kind/],
    ['a missing prompt', valid.replace('    prompt: "{{input.subject}}"\n', ''), /steps\.0\.prompt/],
    ['a bad timeout', valid.replace('reviewers: [a@example.com]', 'reviewers: [a@example.com]\n    timeout: soon'), /steps\.1\.timeout: a duration such as 30s/],
    ['a dangling reference', valid.replace('draft: draft', 'draft: nothing'), /steps\.1\.draft: no step with id "nothing"/],
    ['a draft that is not a generate step', valid.replace('draft: draft', 'draft: send'), /"send" is a deliver step; expected generate/],
    ['a duplicate step id', valid.replace('id: send', 'id: draft'), /duplicate step id "draft"/],
    ['an id that differs from the file name', valid.replace('id: demo', 'id: other'), /id: "other" must match the file name "demo"/],
    ['a bedrock model without a model id', valid.replace('{ provider: offline }', '{ provider: bedrock }'), /steps\.0\.models\.0\.model: model is required/],
    ['an unknown field', valid.replace('name: Demo', 'name: Demo\ncolour: red'), /\(top level\): Unrecognized key/i],
    ['a confidence classifier without a draft', valid.replace('  - id: review', classify('[sentiment, confidence]') + '  - id: review'), /steps\.1\.draft: the confidence classifier needs draft/],
    ['an unknown classifier', valid.replace('  - id: review', classify('[mood]') + '  - id: review'), /steps\.1\.classifiers\.0: Invalid option: expected one of "sentiment"\|"topic"\|"complexity"\|"confidence"/],
    ['an unknown built-in topic', valid.replace('  - id: review', classify('[topic]', 'topics: [astrology]') + '  - id: review'), /steps\.1\.topics\.0/],
    ['a custom topic named none', valid.replace('  - id: review', classify('[topic]', 'topics: [{ name: none, terms: [x] }]') + '  - id: review'), /steps\.1\.topics\.0\.name: "none" is the label when no topic matches/],
    ['a classify draft that comes later', valid.replace('  - id: draft', classify('[confidence]', 'draft: draft') + '  - id: draft'), /steps\.0\.draft: "draft" runs after this step/],
    ['a context that is not a retrieve step', valid.replace('    prompt: "{{input.subject}}"\n', '    prompt: "{{input.subject}}"\n    context: [send]\n'), /steps\.0\.context\.0: "send" is a deliver step; expected retrieve/],
    ['a context retrieved after the draft', valid.replace('    prompt: "{{input.subject}}"\n', '    prompt: "{{input.subject}}"\n    context: [facts]\n').replace('  - id: review', '  - id: facts\n    kind: retrieve\n    collection: support\n    query: x\n  - id: review'), /steps\.0\.context\.0: "facts" runs after this step/],
    ['a Slack target with both channel and channelFromInput', valid.replace('    url: http://localhost:9/x', '    slack: { channel: C0NOTES, channelFromInput: subject }'), /steps\.2\.slack: name either channel or channelFromInput/],
    ['a Slack target that is not a channel id', valid.replace('    url: http://localhost:9/x', '    slack: { channel: general }'), /steps\.2\.slack\.channel: a Slack channel id such as C0123ABCD/],
    ['a Slack target with a URL too', valid.replace('    url: http://localhost:9/x', '    url: http://localhost:9/x\n    slack: { channel: C0NOTES }'), /steps\.2\.slack: a deliver step with slack posts only to Slack/],
    ['a Slack channel from an unknown input field', valid.replace('    url: http://localhost:9/x', '    slack: { channelFromInput: channel }'), /steps\.2\.slack\.channelFromInput: "channel" is not one of the input fields \(subject\)/],
    ['reviewers and reviewersFromInput both', valid.replace('    reviewers: [a@example.com]', '    reviewers: [a@example.com]\n    reviewersFromInput: subject'), /steps\.1\.reviewersFromInput: name either reviewers or reviewersFromInput, not both/],
    ['reviewersFromInput of an unknown input field', valid.replace('    reviewers: [a@example.com]', '    reviewersFromInput: owner'), /steps\.1\.reviewersFromInput: "owner" is not one of the input fields \(subject\)/],
    ['reviewersFromInput of an optional field', valid.replace('  subject: { type: string, required: true }', '  subject: { type: string, required: true }\n  owner: { type: string }').replace('    reviewers: [a@example.com]', '    reviewersFromInput: owner'), /steps\.1\.reviewersFromInput: input field "owner" must be a required string/],
    ['reviewersFromInput with two approvals required', valid.replace('    reviewers: [a@example.com]', '    reviewersFromInput: subject\n    requiredApprovals: 2'), /steps\.1\.requiredApprovals: reviewersFromInput names one reviewer/],
    ['auth slack without trigger.slack', valid.replace('steps:', 'trigger: { auth: [slack] }\nsteps:'), /trigger\.slack: auth slack and trigger\.slack go together/],
    ['trigger.slack without a command or shortcut', valid.replace('steps:', 'trigger: { auth: [slack], slack: { input: { subject: text } } }\nsteps:'), /trigger\.slack: name a command, a shortcut, or both/],
    ['a Slack command without its slash', valid.replace('steps:', 'trigger: { auth: [slack], slack: { command: notes, input: { subject: text } } }\nsteps:'), /trigger\.slack\.command: a slash command such as \/handrail-notes/],
    ['a Slack source that does not exist', valid.replace('steps:', 'trigger: { auth: [slack], slack: { command: /notes, input: { subject: thread } } }\nsteps:'), /trigger\.slack\.input\.subject/],
    ['a Slack trigger that leaves a required field empty', valid.replace('steps:', 'trigger: { auth: [slack], slack: { command: /notes, input: {} } }\nsteps:'), /trigger\.slack\.input: the required input field\(s\) subject must be filled from Slack/],
    ['a Slack trigger filling an unknown field', valid.replace('steps:', 'trigger: { auth: [slack], slack: { command: /notes, input: { subject: text, owner: user } } }\nsteps:'), /trigger\.slack\.input\.owner: not one of the input fields \(subject\)/],
    ['a condition with two operators', valid.replace('  - id: review', "  - id: pick\n    kind: route\n    paths:\n      - { name: a, when: [{ path: input.subject, equals: x, in: [y] }], next: review }\n      - { name: b, default: true, next: review }\n" + '  - id: review'), /exactly one of equals, in, contains/],
    ['a knowledge target with a URL too', kbUpdate.replace('    knowledge:', '    url: http://localhost:9/x\n    knowledge:'), /steps\.3\.knowledge: a deliver step with knowledge writes only the document/],
    ['a knowledge target without documentFrom', kbUpdate.replace('      documentFrom: propose\n', ''), /steps\.3\.knowledge\.documentFrom: Invalid input/],
    ['a knowledge target with a bad collection name', kbUpdate.replace('      collection: support', '      collection: Support_KB'), /steps\.3\.knowledge\.collection: a collection name/],
    ['a knowledge target from a draft that revises nothing', kbUpdate.replace('    revise: find\n', ''), /steps\.3\.knowledge\.documentFrom: "propose" drafts text, not a document revision; give it revise/],
    ['a knowledge target from a retrieve step', kbUpdate.replace('documentFrom: propose', 'documentFrom: find'), /steps\.3\.knowledge\.documentFrom: "find" is a retrieve step; expected generate/],
    ['a knowledge target in another collection than the proposal', kbUpdate.replace('      collection: support', '      collection: rfp'), /steps\.3\.knowledge\.collection: "rfp" is not the collection "support" the proposal revises/],
    ['a knowledge target that delivers the draft unapproved', kbUpdate.replace('    knowledge:', '    text: propose\n    knowledge:'), /steps\.3\.text: a knowledge edit is written only once a person approved it/],
    ['a knowledge target without an approval before it', kbUpdate.replace(/  - id: review\n(    .*\n){3}/, ''), /steps\.2\.knowledge: a knowledge edit needs an approval step before it/],
    ['a revision of a retrieve step that reads passages only', kbUpdate.replace('    wholeDocument: true\n', ''), /steps\.1\.revise: "find" reads passages only; give it wholeDocument: true/],
    ['a revision with an output schema', kbUpdate.replace('    revise: find\n', '    revise: find\n    outputSchema: { type: object }\n'), /steps\.1\.revise: a revision is the document itself/],
    ['another delivery in a workflow that writes knowledge', kbUpdate + '  - id: notify\n    kind: deliver\n    url: http://localhost:9/x\n', /steps\.4: a workflow that writes knowledge delivers only to knowledge/],
  ])('rejects %s with the file, the field path and what is expected', (_case, text, message) => {
    const err = errorOf(text);
    expect(err.message).toMatch(/^demo\.yaml: /);
    expect(err.message).toMatch(message);
  });

  it('accepts a deliver step that writes an approved knowledge edit', () => {
    const { steps } = parseWorkflow(kbUpdate, 'demo.yaml').definition;
    expect(steps[0]).toMatchObject({ kind: 'retrieve', wholeDocument: true });
    expect(steps[1]).toMatchObject({ kind: 'generate', revise: 'find' });
    expect(steps[3]).toMatchObject({ kind: 'deliver', text: 'approval', knowledge: { collection: 'support', documentFrom: 'propose' } });
  });

  it('accepts an approval whose reviewer the input names, escalating to named reviewers', () => {
    const text = valid.replace('    reviewers: [a@example.com]', '    reviewersFromInput: subject\n    escalation: [{ reviewers: [b@example.com], timeout: 1h }]');
    expect(parseWorkflow(text, 'demo.yaml').definition.steps[1]).toMatchObject({ kind: 'approval', reviewersFromInput: 'subject', escalation: [{ reviewers: ['b@example.com'] }] });
  });

  it('accepts a deliver step that posts to a Slack channel, fixed or named by the input', () => {
    expect(parseWorkflow(valid.replace('    url: http://localhost:9/x', '    slack: { channel: C0NOTES }'), 'demo.yaml').definition.steps[2]).toMatchObject({ kind: 'deliver', slack: { channel: 'C0NOTES' } });
    expect(parseWorkflow(valid.replace('    url: http://localhost:9/x', '    slack: { channelFromInput: subject }'), 'demo.yaml').definition.steps[2]).toMatchObject({ slack: { channelFromInput: 'subject' } });
  });

  it('accepts a classify step with custom topics and applies its defaults', () => {
    const text = valid.replace('  - id: review', classify('[topic, sentiment]', 'topics: [legal, { name: churn, terms: [cancel, competitor] }]') + '  - id: review');
    expect(parseWorkflow(text, 'demo.yaml').definition.steps[1]).toMatchObject({ kind: 'classify', sentimentThreshold: 0.05, topics: ['legal', { name: 'churn' }] });
    expect(parseWorkflow(valid.replace('  - id: review', classify('[topic]') + '  - id: review'), 'demo.yaml').definition.steps[1]).toMatchObject({
      topics: ['legal', 'security', 'compliance', 'billing'],
    });
  });

  it('reads a .json definition (as the API bundle ships them) to the same definition and version as its YAML', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'wf-json-'));
    const fromYaml = parseWorkflow(valid, 'demo.yaml');
    writeFileSync(join(dir, 'demo.json'), JSON.stringify(parse(valid)));
    // Act
    const [fromJson] = loadWorkflows(dir);
    // Assess
    expect(fromJson!.definition).toEqual(fromYaml.definition);
    expect(fromJson!.version).toBe(fromYaml.version);
    writeFileSync(join(dir, 'demo.json'), '{"id": ');
    expect(() => loadWorkflows(dir)).toThrow(/demo\.json: not valid JSON/);
    writeFileSync(join(dir, 'demo.json'), JSON.stringify({ ...parse(valid), id: 'other' }));
    expect(() => loadWorkflows(dir)).toThrow(/id: "other" must match the file name "demo"/);
  });

  it('reads the reviewer directory from YAML or JSON alike', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dir-json-'));
    writeFileSync(join(dir, 'reviewers.json'), JSON.stringify(loadDirectory()));
    expect(loadDirectory(join(dir, 'reviewers.json'))).toEqual(loadDirectory());
    writeFileSync(join(dir, 'reviewers.json'), JSON.stringify({ groups: { Bad: ['a'] } }));
    expect(() => loadDirectory(join(dir, 'reviewers.json'))).toThrow(/reviewers\.json: groups\.Bad/);
  });

  it('fails the whole load when one file in the folder is malformed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wf-'));
    writeFileSync(join(dir, 'demo.yaml'), valid);
    writeFileSync(join(dir, 'broken.yaml'), 'id: broken\nname: x\ninput: {}\nsteps: []\n');
    expect(() => loadWorkflows(dir)).toThrow(/broken\.yaml: steps: /);
  });
});
