import validator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { compileWorkflow, type ChoiceState, type TaskState } from '../../../state-machines/compiler/index.js';
import { loadWorkflows, parseWorkflow } from '../../../state-machines/load-workflow.js';

function withArns(definition: object): object {
  return JSON.parse(JSON.stringify(definition).replace(/\$\{fn_(\w+)\}/g, 'arn:aws:lambda:us-east-1:123456789012:function:$1'));
}

describe('compileWorkflow', () => {
  it.each(loadWorkflows().map((w) => [w.definition.id, w] as const))('compiles %s to valid ASL', (_id, workflow) => {
    const { definition } = compileWorkflow(workflow.definition);
    const result = validator(withArns(definition));
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  const support = compileWorkflow(loadWorkflows().find((w) => w.definition.id === 'support-reply')!.definition).definition;

  it('compiles route to a Choice state with presence-guarded rules and a default', () => {
    const triage = support.States.triage as ChoiceState;
    expect(triage.Type).toBe('Choice');
    expect(triage.Default).toBe('agent_review');
    expect(triage.Choices[0]).toEqual({
      And: [
        { Variable: '$.input.priority', IsPresent: true },
        { Variable: '$.input.priority', IsString: true },
        { Variable: '$.input.priority', StringEquals: 'urgent' },
      ],
      Next: 'senior_review',
    });
  });

  it('compiles approval to waitForTaskToken with timeout, escalation, rejection and failure paths', () => {
    const review = support.States.agent_review as TaskState;
    expect(review.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(review.TimeoutSeconds).toBe(86400);
    expect(review.Parameters).toMatchObject({ FunctionName: '${fn_approval}', Payload: { level: 0, reviewers: ['support-agent@example.com'], 'taskToken.$': '$$.Task.Token' } });
    expect(review.Catch?.map((c) => [c.ErrorEquals[0], c.Next])).toEqual([
      ['ApprovalRejected', 'run_rejected'],
      ['States.Timeout', 'agent_review__escalated'],
      ['States.ALL', 'run_failed'],
    ]);
    const escalated = support.States.agent_review__escalated as TaskState;
    expect(escalated.Parameters).toMatchObject({ Payload: { level: 1, reviewers: ['support-lead@example.com'] } });
    expect(escalated.Catch?.[1]).toMatchObject({ ErrorEquals: ['States.Timeout'], Next: 'agent_review__timed_out' });
    expect(support.States.agent_review__timed_out).toMatchObject({ Type: 'Task', Parameters: { finish: { status: 'approval_timed_out', expireApprovalId: { stepId: 'agent_review', level: 1 } } } });
  });

  it('keeps Lambda service retries and a catch-all on every Lambda task', () => {
    for (const [name, state] of Object.entries(support.States)) {
      if (state.Type !== 'Task') continue;
      expect(state.Retry?.[0]?.ErrorEquals, name).toContain('Lambda.ServiceException');
      if (!name.startsWith('run_') && !name.endsWith('__timed_out')) expect(state.Catch?.at(-1)?.ErrorEquals, name).toEqual(['States.ALL']);
    }
  });

  it('routes a final delivery failure to delivery_failed', () => {
    const send = support.States.send_reply as TaskState;
    expect(send.Catch?.[0]).toEqual({ ErrorEquals: ['DeliveryFailed'], ResultPath: '$.error', Next: 'run_delivery_failed' });
    expect(send.End).toBe(true);
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
    const choice = compileWorkflow(wf).definition.States.pick as ChoiceState;
    expect(JSON.stringify(choice.Choices[0])).toContain('"NumericGreaterThan":10');
    expect(JSON.stringify(choice.Choices[0])).toContain('"StringMatches":"*a\\\\*b*"');
    expect(choice.Choices[1]).toEqual({ Variable: '$.input.s', IsPresent: true, Next: 'draft' });
    expect(validator(withArns(compileWorkflow(wf).definition)).isValid).toBe(true);
  });
});
