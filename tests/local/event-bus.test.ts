/** EventBridge pattern matching as the local event bus applies the template's rules. */
import { describe, expect, it } from 'vitest';
import { executionStatusEvent, matchesPattern } from '../../local/event-bus.js';

const pattern = {
  source: ['aws.states'],
  'detail-type': ['Step Functions Execution Status Change'],
  detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: ['arn:aws:states:us-east-1:000000000000:stateMachine:handrail-local-wf'] },
};
const closed = (status: 'FAILED' | 'SUCCEEDED', machine = 'handrail-local-wf') =>
  executionStatusEvent({ executionArn: `arn:aws:states:us-east-1:000000000000:execution:${machine}:run-1`, status, error: 'States.DataLimitExceeded', cause: 'too big' });

describe('matchesPattern', () => {
  it.each([
    ['a failed execution of a listed machine', closed('FAILED'), true],
    ['a succeeded one', closed('SUCCEEDED'), false],
    ['another machine', closed('FAILED', 'handrail-local-other'), false],
    ['another source', { ...closed('FAILED'), source: 'aws.events' }, false],
  ])('%s → %s', (_what, event, expected) => {
    expect(matchesPattern(pattern, event as unknown as Record<string, unknown>)).toBe(expected);
  });

  it('builds the status-change event AWS sends, with the run id as the execution name', () => {
    expect(closed('FAILED')).toMatchObject({
      source: 'aws.states',
      'detail-type': 'Step Functions Execution Status Change',
      detail: { name: 'run-1', status: 'FAILED', stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:handrail-local-wf', error: 'States.DataLimitExceeded', cause: 'too big' },
    });
  });
});
