/**
 * A workflow's `retention`: days per kind of record, defaults for what it leaves out, refused with
 * the key named when it cannot hold; the TTL a record is written with; the log retention derived
 * from it (rounded up to a period CloudWatch Logs offers).
 */
import * as logs from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { expiresAfter, expiryOf, TTL_ATTRIBUTE } from '../../functions/shared/ttl.js';
import { logRetentionFor, logRetentionOf, sharedLogRetention } from '../../infra/log-retention.js';
import { parseWorkflow, WorkflowDefinitionError } from '../../state-machines/load-workflow.js';
import { DEFAULT_RETENTION, retentionDays } from '../../state-machines/retention.js';

const workflow = (retention: string, timeout = '24h') => `
id: demo
name: Demo
input:
  subject: { type: string, required: true }
${retention}
steps:
  - id: draft
    kind: generate
    prompt: "{{input.subject}}"
    models: [{ provider: offline }]
  - id: review
    kind: approval
    draft: draft
    reviewers: [a@example.com]
    timeout: ${timeout}
    escalation: [{ reviewers: [b@example.com], timeout: 2d }]
  - id: send
    kind: deliver
    url: http://localhost:9/x
`;

const issuesOf = (text: string) => {
  try {
    parseWorkflow(text, 'demo.yaml');
  } catch (err) {
    if (err instanceof WorkflowDefinitionError) return err.issues;
    throw err;
  }
  return [];
};

describe('retention in a workflow file', () => {
  it('takes days per kind and fills in the defaults for what it leaves out', () => {
    // Prepare
    const declared = parseWorkflow(workflow('retention: { runs: 400d, steps: 30d }'), 'demo.yaml').definition;
    const none = parseWorkflow(workflow(''), 'demo.yaml').definition;
    // Act, Assess
    expect(retentionDays(declared.retention)).toEqual({ runs: 400, steps: 30, approvals: DEFAULT_RETENTION.approvals });
    // Step records left out are kept as long as their run.
    expect(retentionDays({ runs: '30d' })).toEqual({ runs: 30, steps: 30, approvals: DEFAULT_RETENTION.approvals });
    expect(none.retention).toBeUndefined();
    expect(retentionDays(none.retention)).toEqual(DEFAULT_RETENTION);
  });

  it.each([
    ['retention: { runs: 90 }', 'retention.runs: a number of days such as 30d or 365d'],
    ['retention: { runs: 12h }', 'retention.runs: a number of days such as 30d or 365d'],
    ['retention: { approvals: 0d }', 'retention.approvals: a number of days such as 30d or 365d'],
    ['retention: { steps: 4000d }', 'retention.steps: at most 3650d (ten years)'],
    ['retention: { logs: 30d }', 'retention: Unrecognized key: "logs"'],
    ['retention: { runs: 30d, steps: 60d }', 'retention.steps: 60d is longer than retention.runs (30d)'],
    ['retention: { runs: 3d }', 'retention.runs: 3d is not longer than the 3d a run can wait for its approvals'],
  ])('refuses %s, naming the key', (retention, message) => {
    expect(issuesOf(workflow(retention)).join('\n')).toContain(message);
  });

  it('counts every approval level a run can wait through against runs and approvals', () => {
    // 36h, then 2d at the escalation level: up to 3.5 days, counted as 4.
    expect(issuesOf(workflow('retention: { runs: 5d, approvals: 5d }', '36h'))).toEqual([]);
    expect(issuesOf(workflow('retention: { runs: 30d, steps: 1d, approvals: 4d }', '36h'))).toEqual([
      'retention.approvals: 4d is not longer than the 4d a run can wait for its approvals (their timeouts, with escalation); keep them at least 5d',
    ]);
  });
});

describe('the TTL a record is written with', () => {
  it('is the epoch second its kind of record is kept until, counted from when it was written', () => {
    const at = new Date('2026-01-01T00:00:00.500Z');
    expect(expiresAfter(30, at)).toBe(Date.parse('2026-01-31T00:00:00Z') / 1000);
    expect(expiryOf({ runs: 400, steps: 30, approvals: 90 }, 'approvals', at)).toEqual({ [TTL_ATTRIBUTE]: Date.parse('2026-04-01T00:00:00Z') / 1000 });
  });

  it('is absent for a run recorded before runs carried a retention (kept as it always was)', () => {
    expect(expiryOf(undefined, 'steps', new Date())).toEqual({});
  });
});

describe('log retention', () => {
  it.each([
    [1, logs.RetentionDays.ONE_DAY],
    [90, logs.RetentionDays.THREE_MONTHS],
    [100, logs.RetentionDays.FOUR_MONTHS],
    [365, logs.RetentionDays.ONE_YEAR],
    [366, logs.RetentionDays.THIRTEEN_MONTHS],
    [3650, logs.RetentionDays.TEN_YEARS],
  ])('keeps lines %i days for the shortest period CloudWatch offers that covers them', (days, period) => {
    expect(logRetentionFor(days)).toBe(period);
  });

  it('follows the longest-kept record: of the workflow for its own log groups, of all of them for shared functions', () => {
    const short = parseWorkflow(workflow('retention: { runs: 30d, steps: 7d, approvals: 45d }'), 'demo.yaml');
    const long = parseWorkflow(workflow('retention: { runs: 400d }').replace('id: demo', 'id: other'), 'other.yaml');
    expect(logRetentionOf(short)).toBe(logs.RetentionDays.TWO_MONTHS);
    expect(sharedLogRetention([short, long])).toBe(logs.RetentionDays.THIRTEEN_MONTHS);
    expect(sharedLogRetention([])).toBe(logs.RetentionDays.ONE_YEAR);
  });
});
