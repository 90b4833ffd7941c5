import validator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { compileWorkflow, type ChoiceState, type TaskState } from '../../../state-machines/compiler/index.js';
import { RUN_DELIVERED_STATE } from '../../../state-machines/compiler/tasks.js';
import { loadDirectory } from '../../../state-machines/directory.js';
import { loadWorkflows, parseWorkflow } from '../../../state-machines/load-workflow.js';
import { workflowSchema } from '../../../state-machines/schema.js';

const directory = loadDirectory();

function withArns(definition: object): object {
  return JSON.parse(JSON.stringify(definition).replace(/\$\{fn_(\w+)\}/g, 'arn:aws:lambda:us-east-1:123456789012:function:$1'));
}

describe('compileWorkflow', () => {
  it.each(loadWorkflows().map((w) => [w.definition.id, w] as const))('compiles %s to valid ASL', (_id, workflow) => {
    const { definition } = compileWorkflow(workflow.definition, directory);
    const result = validator(withArns(definition));
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  const support = compileWorkflow(loadWorkflows().find((w) => w.definition.id === 'support-reply')!.definition, directory).definition;

  it('compiles route to a Choice state with presence-guarded rules, a default, and the path taken recorded', () => {
    const triage = support.States.triage as ChoiceState;
    expect(triage.Type).toBe('Choice');
    expect(triage.Default).toBe('triage__standard');
    expect(support.States.triage__standard).toEqual({ Type: 'Pass', Comment: 'route triage took path standard', Result: 'standard', ResultPath: '$.routes.triage', Next: 'agent_review' });
    expect(support.States.triage__urgent).toMatchObject({ Result: 'urgent', Next: 'senior_review' });
    expect(triage.Choices.map((c) => c.Next)).toEqual(['triage__legal', 'triage__security', 'triage__compliance', 'triage__urgent', 'triage__upset']);
    expect(triage.Choices[0]).toEqual({
      And: [
        { Variable: '$.steps.classify_ticket.topic.flags.legal', IsPresent: true },
        { Variable: '$.steps.classify_ticket.topic.flags.legal', IsBoolean: true },
        { Variable: '$.steps.classify_ticket.topic.flags.legal', BooleanEquals: true },
      ],
      Next: 'triage__legal',
    });
    expect(triage.Choices[3]).toEqual({
      And: [
        { Variable: '$.input.priority', IsPresent: true },
        { Variable: '$.input.priority', IsString: true },
        { Variable: '$.input.priority', StringEquals: 'urgent' },
      ],
      Next: 'triage__urgent',
    });
  });

  it('compiles a classify step to a Lambda task whose results land at $.steps.<id> for the route after it', () => {
    expect(support.States.draft_reply).toMatchObject({ Next: 'classify_ticket' });
    expect(support.States.classify_ticket).toMatchObject({
      Type: 'Task',
      Resource: '${fn_classify}',
      ResultPath: '$.steps.classify_ticket',
      Next: 'triage',
      Retry: [expect.objectContaining({ ErrorEquals: expect.arrayContaining(['Lambda.ServiceException']) })],
    });
    expect(support.States.classify_ticket).not.toHaveProperty('Catch');
  });

  it('compiles `in` to one presence- and type-guarded Or of StringEquals', () => {
    const wf = workflowSchema.parse({
      id: 'in-route',
      name: 'in',
      input: { s: { type: 'string' } },
      steps: [
        { id: 'pick', kind: 'route', paths: [{ name: 'money', when: [{ path: 'input.s', in: ['billing', 'refunds'] }], next: 'done' }, { name: 'other', default: true, next: 'done' }] },
        { id: 'done', kind: 'deliver', url: 'https://example.com/hook' },
      ],
    });
    const choice = compileWorkflow(wf, directory).definition.States.pick as ChoiceState;
    expect(choice.Choices[0]).toEqual({
      And: [
        { Variable: '$.input.s', IsPresent: true },
        { Variable: '$.input.s', IsString: true },
        { Or: [{ Variable: '$.input.s', StringEquals: 'billing' }, { Variable: '$.input.s', StringEquals: 'refunds' }] },
      ],
      Next: 'pick__money',
    });
  });

  it('compiles approval to waitForTaskToken with a timeout per level, escalation, rejection and failure paths', () => {
    const review = support.States.agent_review as TaskState;
    expect(review.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(review.TimeoutSeconds).toBe(86400);
    expect(review.Parameters).toMatchObject({ FunctionName: '${fn_approval}', Payload: { level: 0, reviewers: ['support-agent@example.com'], 'taskToken.$': '$$.Task.Token' } });
    expect(review.Catch?.map((c) => [c.ErrorEquals[0], c.Next])).toEqual([
      ['ApprovalRejected', 'run_rejected'],
      ['States.Timeout', 'agent_review__level1'],
    ]);
    const level1 = support.States.agent_review__level1 as TaskState;
    expect(level1.Parameters).toMatchObject({ Payload: { level: 1, reviewers: ['support-lead@example.com'] } });
    expect(level1.Catch?.[1]).toMatchObject({ ErrorEquals: ['States.Timeout'], Next: 'agent_review__level2' });
    const level2 = support.States.agent_review__level2 as TaskState;
    // group:support-leads expanded from the reviewer directory
    expect(level2.Parameters).toMatchObject({ Payload: { level: 2, reviewers: ['support-lead@example.com', 'head-of-support@example.com'] } });
    expect(level2.Catch?.[1]).toMatchObject({ ErrorEquals: ['States.Timeout'], Next: 'agent_review__timed_out' });
    expect(support.States.agent_review__timed_out).toMatchObject({ Type: 'Task', End: true, Parameters: { finish: { status: 'approval_timed_out', expireApprovalId: { stepId: 'agent_review', level: 2 } } } });
  });

  it('leaves level 0 of an approval with reviewersFromInput to the input: no reviewers compiled, the step (and its field) in the payload', () => {
    const notes = compileWorkflow(loadWorkflows().find((w) => w.definition.id === 'meeting-notes')!.definition, directory).definition;
    const review = Object.entries(notes.States).find(([name]) => name.startsWith('owner_review'))![1] as TaskState;
    expect(review.Comment).toBe('approval owner_review, level 0: input.owner');
    expect(review.Parameters).toMatchObject({ Payload: { reviewers: [], step: { reviewersFromInput: 'owner' }, level: 0 } });
  });

  it('keeps Lambda service retries on every Lambda task, and catches no failure for good', () => {
    for (const [name, state] of Object.entries(support.States)) {
      if (state.Type !== 'Task') continue;
      expect(state.Retry?.[0]?.ErrorEquals, name).toContain('Lambda.ServiceException');
      for (const c of state.Catch ?? []) expect(c.ErrorEquals, name).not.toContain('States.ALL');
    }
  });

  it('lets a step that finally fails fail the execution at that state (redrivable there), never delivering', () => {
    expect(Object.keys(support.States)).not.toContain('run_failed');
    expect(Object.keys(support.States)).not.toContain('run_delivery_failed');
    for (const state of Object.values(support.States)) expect(JSON.stringify(state)).not.toContain('needs_human');
  });

  it('lets a final delivery failure (DeliveryFailed) fail the execution at the deliver state; a delivery that ends the run is counted by the finish function', () => {
    const send = support.States.send_reply as TaskState;
    expect(send.Catch).toBeUndefined();
    expect(send.Next).toBe(RUN_DELIVERED_STATE);
    expect(support.States[RUN_DELIVERED_STATE]).toMatchObject({ Type: 'Task', Parameters: { finish: { status: 'delivered' } }, End: true });
  });

  it("refuses an owner the reviewer directory does not know, naming owner.reviewers", () => {
    const wf = workflowSchema.parse({
      id: 'owned',
      name: 'owned',
      input: {},
      owner: { reviewers: ['group:nobody'], channels: ['email'] },
      steps: [{ id: 'done', kind: 'deliver', url: 'https://example.com/hook' }],
    });
    expect(() => compileWorkflow(wf, directory)).toThrow(/owner\.reviewers: no group "nobody"/);
  });

  it('compiles numeric, contains and exists conditions', () => {
    const wf = parseWorkflow(
      `id: conditions
name: c
input: { n: { type: number }, s: { type: string } }
steps:
  - id: pick
    kind: route
    paths:
      - { name: big, when: [{ path: input.n, greaterThan: 10 }, { path: input.s, contains: "a*b" }], next: draft }
      - { name: present, when: [{ path: input.s, exists: true }], next: draft }
      - { name: other, default: true, next: draft }
  - id: draft
    kind: generate
    prompt: hi
    models: [{ provider: offline }]
`,
      'conditions.yaml',
    ).definition;
    const choice = compileWorkflow(wf, directory).definition.States.pick as ChoiceState;
    expect(JSON.stringify(choice.Choices[0])).toContain('"NumericGreaterThan":10');
    expect(JSON.stringify(choice.Choices[0])).toContain('"StringMatches":"*a\\\\*b*"');
    expect(choice.Choices[1]).toEqual({ Variable: '$.input.s', IsPresent: true, Next: 'pick__present' });
    expect(validator(withArns(compileWorkflow(wf, directory).definition)).isValid).toBe(true);
  });
});

describe('approval policy compilation', () => {
  const base = (approval: string) =>
    parseWorkflow(
      `id: policy
name: p
input: { s: { type: string } }
steps:
  - id: draft
    kind: generate
    prompt: hi
    models: [{ provider: offline }]
  - id: review
    kind: approval
    draft: draft
${approval}
  - id: fallback
    kind: deliver
    url: http://localhost:9/x
`,
      'policy.yaml',
    ).definition;

  it.each([
    ['reject', 'approval_timed_out'],
    ['fail', 'failed'],
  ])('onFinalTimeout %s ends the run %s', (outcome, status) => {
    const wf = base(`    reviewers: [a@example.com]\n    onFinalTimeout: ${outcome}`);
    expect(compileWorkflow(wf, directory).definition.States.review__timed_out).toMatchObject({ End: true, Parameters: { finish: { status } } });
  });

  it('onFinalTimeout route expires the request and continues at the named step', () => {
    const wf = base('    reviewers: [a@example.com]\n    onFinalTimeout: { route: fallback }');
    const state = compileWorkflow(wf, directory).definition.States.review__timed_out as TaskState;
    expect(state).toMatchObject({ Next: 'fallback', Parameters: { finish: { expireApprovalId: { stepId: 'review', level: 0 } } } });
    expect(state.End).toBeUndefined();
    expect((state.Parameters.finish as object)).not.toHaveProperty('status');
  });

  it('refuses a quorum that a level cannot reach, and an unknown group', () => {
    expect(() => compileWorkflow(base('    reviewers: [a@example.com]\n    requiredApprovals: 2'), directory)).toThrow(/1 reviewer\(s\) cannot give the 2 approvals required/);
    expect(() => compileWorkflow(base('    reviewers: ["group:nobody"]'), directory)).toThrow(/no group "nobody"/);
  });

  it('passes the requester field to the approval function', () => {
    const wf = { ...base('    reviewers: [a@example.com]'), requester: 's' };
    expect((compileWorkflow(wf, directory).definition.States.review as TaskState).Parameters).toMatchObject({ Payload: { requesterField: 's' } });
  });
});

describe('quality gates compilation', () => {
  it('follows a gated generate step with a Choice on its reported gates, and ends runs at `end: true`', async () => {
    const { loadWorkflowFile } = await import('../../../state-machines/load-workflow.js');
    const { fileURLToPath } = await import('node:url');
    const wf = loadWorkflowFile(fileURLToPath(new URL('../../fixtures/gates-workflows/gated-reply.yaml', import.meta.url))).definition;
    const { definition } = compileWorkflow(wf, directory);
    expect((definition.States.draft as TaskState).Next).toBe('draft__gates');
    expect(definition.States.draft__gates).toEqual({
      Type: 'Choice',
      Comment: 'quality gates of draft',
      Choices: [
        { Variable: '$.steps.draft.gates.contextFailed', BooleanEquals: true, Next: 'ask_for_details' },
        { Variable: '$.steps.draft.gates.failed', BooleanEquals: true, Next: 'human_review' },
      ],
      Default: 'send_auto',
    });
    expect((definition.States.send_auto as TaskState).Next).toBe(RUN_DELIVERED_STATE);
    expect((definition.States.send_reviewed as TaskState).Next).toBe(RUN_DELIVERED_STATE);
    expect(validator(withArns(definition)).errors).toEqual([]);
  });
});

describe('signIn: required (a sensitive approval step)', () => {
  const support = () => loadWorkflows().find((w) => w.definition.id === 'support-reply')!.definition;

  it('adds `signIn` to the approval states that declare it and changes nothing else; a workflow without it compiles as before (no signIn anywhere)', () => {
    const plain = support();
    const sensitive = { ...plain, steps: plain.steps.map((s) => (s.id === 'agent_review' ? { ...s, signIn: 'required' as const } : s)) };
    const before = JSON.stringify(compileWorkflow(plain, directory).definition);
    const after = JSON.stringify(compileWorkflow(sensitive, directory).definition);
    expect(before).not.toContain('signIn');
    expect(after.match(/"signIn":"required"/g)).toHaveLength(3); // agent_review's three levels
    expect(after.replace(/,"signIn":"required"/g, '')).toBe(before);
  });

  it('takes only `required`', () => {
    const approval = support().steps.find((s) => s.kind === 'approval')!;
    const parsed = workflowSchema.safeParse({ ...support(), steps: support().steps.map((s) => (s === approval || s.id === approval.id ? { ...s, signIn: 'always' } : s)) });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.message).toBe('must be required (or left out: the review link is enough)');
  });
});
