/**
 * The 256 KB payload limit, as AWS enforces it: a task result, a state's input or the execution's
 * output over it ends the execution with States.DataLimitExceeded, which no Retry re-runs and no
 * Catch (not even States.ALL) handles; a task whose input is over it is never invoked.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fnArn, startService, type Service } from './helpers.js';

const big = 'x'.repeat(300 * 1024);
let service: Service | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

const caught = { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Caught' };
const retried = { ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 2 };

async function run(definition: object, input: object = {}) {
  const stateMachineArn = service!.engine.registerStateMachine({ name: 'limits', definition });
  const { executionArn } = await service!.engine.startExecution({ stateMachineArn, input: JSON.stringify(input) });
  return service!.engine.waitForExecution(executionArn);
}

describe('the payload limit', () => {
  it('fails the execution when a task returns more than 256 KB; neither Retry nor Catch runs', async () => {
    service = await startService({ huge: () => ({ text: big }) });
    const done = await run({
      StartAt: 'Work',
      States: { Work: { Type: 'Task', Resource: fnArn('huge'), Retry: [retried], Catch: [caught], End: true }, Caught: { Type: 'Pass', End: true } },
    });
    expect(done).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded', cause: expect.stringContaining("'Work'") });
    expect(service.calls.get('huge')).toHaveLength(1);
  });

  it('never invokes a task whose input is over the limit', async () => {
    service = await startService({ work: () => ({}) });
    const done = await run({
      StartAt: 'Grow',
      States: {
        Grow: { Type: 'Pass', Result: big.slice(0, 200 * 1024), ResultPath: '$.a', Next: 'Work' },
        Work: { Type: 'Task', Resource: fnArn('work'), Parameters: { 'a.$': '$.a', 'b.$': '$.a' }, Catch: [caught], End: true },
        Caught: { Type: 'Pass', End: true },
      },
    });
    expect(done).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(service.calls.get('work')).toBeUndefined();
  });

  it('fails the execution when a state is entered with more than 256 KB', async () => {
    service = await startService({});
    const done = await run({
      StartAt: 'Grow',
      States: {
        Grow: { Type: 'Pass', Result: big, ResultPath: '$.a', Next: 'After' },
        After: { Type: 'Wait', Seconds: 5, End: true },
      },
    });
    expect(done).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded', cause: expect.stringContaining("'After'") });
  });

  it('lets payloads under the limit through', async () => {
    service = await startService({ ok: () => ({ text: 'x'.repeat(200 * 1024) }) });
    const done = await run({ StartAt: 'Work', States: { Work: { Type: 'Task', Resource: fnArn('ok'), ResultPath: '$.r', End: true } } });
    expect(done.status).toBe('SUCCEEDED');
  });
});
