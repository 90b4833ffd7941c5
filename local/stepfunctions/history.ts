/**
 * Maps the interpreter's event log to the HistoryEvents GetExecutionHistory returns. Mapping runs
 * on request, so executions only pay for keeping the raw log.
 *
 * A redriven execution's log holds each attempt's events in turn (those still in memory: none from
 * before a restart or an eviction); each later attempt's ExecutionStarted becomes an
 * ExecutionRedriven event, as in the real history.
 */
import type { HistoryEvent, HistoryEventType } from '@aws-sdk/client-sfn';
import { RESUME_STATE } from './definition.js';
import type { EventLog, ExecutionRecord, RedriveMark, TaskStateInfo } from './types.js';

export interface HistoryOptions {
  /** false drops inputs and outputs, as the real API's `includeExecutionData: false` does. */
  readonly includeExecutionData?: boolean;
}

type Details = Omit<HistoryEvent, 'id' | 'previousEventId' | 'timestamp' | 'type'>;

const dataDetails = { truncated: false };

function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}

/** Task events: LambdaFunction* for a bare function ARN, Task* for the lambda:invoke integrations. */
function taskEvents(info: TaskStateInfo | undefined, region: string) {
  if (info?.dispatch.kind === 'lambda') {
    const resource = info.dispatch.functionArn;
    return {
      start: (): [HistoryEventType, Details][] => [
        ['LambdaFunctionScheduled', { lambdaFunctionScheduledEventDetails: { resource, timeoutInSeconds: info.timeoutSeconds } }],
        ['LambdaFunctionStarted', {}],
      ],
      succeeded: (): [HistoryEventType, Details] => ['LambdaFunctionSucceeded', { lambdaFunctionSucceededEventDetails: {} }],
      failed: (error: string, cause: string): [HistoryEventType, Details] =>
        error === 'States.Timeout'
          ? ['LambdaFunctionTimedOut', { lambdaFunctionTimedOutEventDetails: { error, cause } }]
          : ['LambdaFunctionFailed', { lambdaFunctionFailedEventDetails: { error, cause } }],
    };
  }
  const resourceType = 'lambda';
  const resource = info?.dispatch.kind === 'waitForTaskToken' ? 'invoke.waitForTaskToken' : 'invoke';
  return {
    start: (): [HistoryEventType, Details][] => [
      ['TaskScheduled', { taskScheduledEventDetails: { resourceType, resource, region, parameters: undefined, timeoutInSeconds: info?.timeoutSeconds } }],
      ['TaskStarted', { taskStartedEventDetails: { resourceType, resource } }],
    ],
    succeeded: (): [HistoryEventType, Details] => ['TaskSucceeded', { taskSucceededEventDetails: { resourceType, resource } }],
    failed: (error: string, cause: string): [HistoryEventType, Details] =>
      error === 'States.Timeout'
        ? ['TaskTimedOut', { taskTimedOutEventDetails: { resourceType, resource, error, cause } }]
        : ['TaskFailed', { taskFailedEventDetails: { resourceType, resource, error, cause } }],
  };
}

export function buildHistory(exec: ExecutionRecord, region: string, options: HistoryOptions = {}): HistoryEvent[] {
  const withData = options.includeExecutionData ?? true;
  const data = (value: unknown): string | undefined => (withData ? text(value) : undefined);
  const history: HistoryEvent[] = [];
  const push = (timestamp: number, type: HistoryEventType, details: Details = {}) => {
    const id = history.length + 1;
    history.push({ id, previousEventId: id - 1, timestamp: new Date(timestamp), type, ...details });
  };
  // Attempts that failed, by state and Map index: their StateExited (after a Catch) is no success.
  const failedAttempts = new Set<string>();
  const tasks = exec.stateMachine.tasks;
  const redrives = exec.redrives ?? [];
  let nextRedrive = 0;
  const redriven = (mark: RedriveMark) => push(mark.timestamp, 'ExecutionRedriven', { executionRedrivenEventDetails: { redriveCount: mark.redriveCount } });

  for (const [index, event] of (exec.events as EventLog[]).entries()) {
    // A resumed execution's history starts at its waiting state; its entry Pass state is internal.
    if ('state' in event && event.state.name === RESUME_STATE) continue;
    const at = event.timestamp;
    // How the attempt this event belongs to closed: a later redrive keeps it, else the execution has it.
    const closed = redrives[nextRedrive]?.closed ?? exec;
    switch (event.type) {
      case 'ExecutionStarted': {
        const mark = redrives[nextRedrive];
        if (mark?.index === index) nextRedrive++;
        // A redriven attempt's start; it opens the history only when earlier attempts are gone.
        if (mark?.index === index && index > 0) {
          redriven(mark);
          break;
        }
        push(at, 'ExecutionStarted', {
          executionStartedEventDetails: { input: data(event.input), inputDetails: dataDetails, roleArn: exec.stateMachine.roleArn },
        });
        if (mark?.index === index) redriven(mark);
        break;
      }
      case 'StateEntered': {
        const { name, type, input } = event.state;
        push(at, `${type}StateEntered` as HistoryEventType, { stateEnteredEventDetails: { name, input: data(input), inputDetails: dataDetails } });
        if (type === 'Task') for (const [t, d] of taskEvents(tasks.get(name), region).start()) push(at, t, d);
        if (type === 'Parallel' || type === 'Map') push(at, `${type}StateStarted` as HistoryEventType);
        break;
      }
      case 'StateExited': {
        const { name, type, output } = event.state;
        const key = `${name}#${event.index ?? ''}`;
        if (type === 'Task' && !failedAttempts.delete(key)) push(at, ...taskEvents(tasks.get(name), region).succeeded());
        if ((type === 'Parallel' || type === 'Map') && !failedAttempts.delete(key)) push(at, `${type}StateSucceeded` as HistoryEventType);
        // Fail states end the execution; there is no FailStateExited.
        if (type !== 'Fail') {
          push(at, `${type}StateExited` as HistoryEventType, { stateExitedEventDetails: { name, output: data(output), outputDetails: dataDetails } });
        }
        break;
      }
      case 'StateFailed': {
        const { name, type } = event.state;
        failedAttempts.add(`${name}#${event.index ?? ''}`);
        if (type === 'Task') push(at, ...taskEvents(tasks.get(name), region).failed(event.Error, text(event.Cause)));
        if (type === 'Parallel' || type === 'Map') push(at, `${type}StateFailed` as HistoryEventType);
        break;
      }
      case 'StateRetried': {
        const { name, type } = event.state;
        failedAttempts.delete(`${name}#${event.index ?? ''}`);
        if (type === 'Task') for (const [t, d] of taskEvents(tasks.get(name), region).start()) push(at, t, d);
        break;
      }
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed': {
        const details = { name: event.parentState.name, index: event.index };
        const field = `mapIteration${event.type.slice('MapIteration'.length)}EventDetails`;
        push(at, event.type, { [field]: details });
        break;
      }
      case 'ExecutionSucceeded':
        push(at, 'ExecutionSucceeded', { executionSucceededEventDetails: { output: data(event.output), outputDetails: dataDetails } });
        break;
      case 'ExecutionFailed':
        push(at, 'ExecutionFailed', { executionFailedEventDetails: { error: event.Error, cause: text(event.Cause) } });
        break;
      case 'ExecutionAborted':
        push(at, 'ExecutionAborted', { executionAbortedEventDetails: { error: closed.error, cause: closed.cause } });
        break;
      case 'ExecutionTimeout':
        push(at, 'ExecutionTimedOut', { executionTimedOutEventDetails: { error: closed.error, cause: closed.cause } });
        break;
      default:
        // StateCaught is followed by the StateExited that carries the Catch output; ParallelBranch*
        // have no counterpart in the real history.
        break;
    }
  }
  // Redriven, but its new attempt's first event is not drained yet.
  for (const mark of redrives.slice(nextRedrive)) redriven(mark);
  return history;
}
